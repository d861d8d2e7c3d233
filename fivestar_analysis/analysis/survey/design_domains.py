"""Many domain means at once: :meth:`BoundDesign.mean` for every subgroup of a breakdown in
one pass over the rows.

A county's breakdowns have a handful of subgroups and :meth:`BoundDesign.mean` serves them
one by one. A province-sized package has thousands of townships, and the per-call work
(selecting rows, finding their PSUs, centring PSU totals) repeated 30,000 times dominated
its survey tables. Here every sum is a ``bincount`` over (domain, PSU) and (domain,
stratum) pairs: the same formulas, the same figures up to the order of floating-point
additions (the tests compare both within 1e-12).
"""

from __future__ import annotations

import math

import numpy as np

from fivestar_analysis.analysis.stats import t_interval
from fivestar_analysis.analysis.survey.design import DESIGN_MEAN_KEYS, BoundDesign

__all__ = ["domain_mean_rows", "MANY_DOMAINS"]

#: breakdowns with more subgroups than this are estimated in one pass
MANY_DOMAINS = 60


def domain_mean_rows(bound: BoundDesign, values: np.ndarray, codes: np.ndarray, k: int,
                     confidence: float = 0.95) -> list[dict[str, float]]:
    """``[bound.mean(values, rows of domain j, confidence) for j in range(k)]``.

    ``codes`` gives each row's domain (0..k-1, or -1 for none). Returns one dict of
    :data:`DESIGN_MEAN_KEYS` per domain.
    """
    y = np.asarray(values, dtype="float64")
    w = bound.weight
    codes = np.asarray(codes, dtype=np.int64)
    ok = (codes >= 0) & np.isfinite(y) & np.isfinite(w) & (w > 0)
    rows = np.flatnonzero(ok)
    g, yr, wr = codes[rows], y[rows], w[rows]
    n = np.bincount(g, minlength=k)
    sw = np.bincount(g, weights=wr, minlength=k)
    sw2 = np.bincount(g, weights=wr * wr, minlength=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.bincount(g, weights=wr * yr, minlength=k) / sw
        n_eff = np.where(sw2 > 0, sw**2 / sw2, 0.0)
        dev = yr - m[g]
        ss = np.bincount(g, weights=wr * dev**2, minlength=k)
        var_kish = ss / sw * n_eff / (n_eff - 1.0)
        sd = np.where(n_eff > 1.0 + 1e-12, np.sqrt(var_kish), np.nan)
    design = not bound.design.is_srs
    if design:
        v, df = _domain_variances(bound, g, rows, wr * dev / sw[g], k)
    out = []
    for j in range(k):
        nj = int(n[j])
        if nj == 0:
            out.append(dict(zip(DESIGN_MEAN_KEYS, (0, 0.0, math.nan, math.nan, math.nan,
                                                   math.nan, math.nan, math.nan, math.nan))))
            continue
        mj, ne, sdj = float(m[j]), float(n_eff[j]), float(sd[j])
        if not design or nj < 2 or not np.isfinite(sdj):
            lo, hi = (t_interval(mj, sdj / math.sqrt(ne), ne - 1.0, confidence)
                      if np.isfinite(sdj) else (math.nan, math.nan))
            se = sdj / math.sqrt(ne) if ne > 0 and np.isfinite(sdj) else math.nan
            out.append({"n": nj, "n_eff": ne, "estimate": mj, "sd": sdj, "ci_low": lo,
                        "ci_high": hi, "se": se, "deff": nj / ne if ne > 0 else math.nan,
                        "df": ne - 1.0})
            continue
        vj = float(v[j])
        se = math.sqrt(max(vj, 0.0))
        s2 = float(ss[j] / sw[j]) * nj / (nj - 1.0)
        deff = vj / (s2 / nj) if s2 > 0 else math.nan
        lo, hi = t_interval(mj, se, float(df[j]), confidence) if se > 0 else (mj, mj)
        n_e = nj / deff if deff and np.isfinite(deff) and deff > 0 else float(nj)
        out.append({"n": nj, "n_eff": n_e, "estimate": mj, "sd": sdj, "ci_low": lo,
                    "ci_high": hi, "se": se, "deff": deff, "df": float(df[j])})
    return out


def _domain_variances(bound: BoundDesign, g: np.ndarray, rows: np.ndarray, z: np.ndarray,
                      k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per domain: :meth:`BoundDesign.domain_variance` of its linearised values ``z``.

    For domain d with PSU totals t_i (0 for PSUs outside it): ``Σ_i s_i (t_i − c_i)²`` over
    its PSUs, plus ``rest_h c_h²`` for the PSUs of each centre group h it does not touch
    (their total is 0; ``rest_h`` is the scale sum of those PSUs).
    """
    n_psu = bound.n_psu
    group, n_h, sigma = bound._centres
    n_strata = n_h.size
    pair, inv = np.unique(g * n_psu + bound.psu[rows], return_inverse=True)
    t = np.bincount(inv, weights=z, minlength=pair.size)
    d, psu = pair // n_psu, pair % n_psu
    stratum, cg, s = bound.psu_stratum[psu], group[psu], bound.psu_scale[psu]
    # the centre of each (domain, stratum): the stratum's total over its PSU count
    ds, ds_inv = np.unique(d * n_strata + stratum, return_inverse=True)
    centre_ds = np.bincount(ds_inv, weights=t, minlength=ds.size) / n_h[ds % n_strata]
    total = np.bincount(d, weights=t, minlength=k)
    lonely_centre = total / n_psu
    centre = np.where(cg == n_strata, lonely_centre[d], centre_ds[ds_inv])
    v = np.bincount(d, weights=s * (t - centre) ** 2, minlength=k)
    # the untouched PSUs of each stratum the domain reaches (other strata: centre 0)
    touched_s = np.bincount(ds_inv, weights=np.where(cg == n_strata, 0.0, s),
                            minlength=ds.size)
    rest = sigma[ds % n_strata] - touched_s
    v += np.bincount(ds // n_strata, weights=rest * centre_ds**2, minlength=k)
    lonely_s = np.bincount(d, weights=np.where(cg == n_strata, s, 0.0), minlength=k)
    v += (sigma[n_strata] - lonely_s) * lonely_centre**2
    n_pairs = np.bincount(d, minlength=k)
    n_touched = np.bincount(ds // n_strata, minlength=k)
    df = np.maximum(n_pairs - n_touched, 1).astype("float64")
    return v, df
