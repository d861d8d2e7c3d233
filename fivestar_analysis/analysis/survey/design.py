"""Design-based survey inference: Taylor linearisation over primary sampling units.

Respondents are sampled branch by branch, and answers within a branch are alike, so a
survey's information is closer to its number of branches than to its number of people.
Every estimate here treats the branch (or what ``county.yaml`` names) as the primary
sampling unit (PSU), as R's ``survey`` package, Stata's ``svy`` and ``samplics`` do:

* a (weighted) mean ``ȳ = Σ w y / Σ w`` has the linearised variable
  ``z_i = w_i (y_i − ȳ) / Σ w``; its variance is the with-replacement variance of the PSU
  totals of z, ``v = Σ_h (1 − f_h) n_h / (n_h − 1) Σ_j (z_hj − z̄_h)²`` over strata h with
  n_h sampled PSUs (``f_h`` the first-stage sampling fraction with ``fpc``, else 0; a
  stratum with a single PSU is centred on the overall mean of PSU totals, R's
  ``survey.lonely.psu = "adjust"``);
* a subgroup (domain) keeps the whole design: z is 0 outside it;
* the interval is ``ȳ ± t(df) · √v`` with ``df = #PSU − #strata`` among the PSUs that hold
  the subgroup (at least 1);
* ``deff = v / (s² / n)``, the design variance over the variance of a simple random sample
  of the same size (s² the weighted variance), and the effective n is ``n / deff``;
* proportions take the Wilson interval on that effective n (a documented equivalent of
  the linearised interval that stays inside [0, 1]);
* group means: the adjusted Wald F test (Stata's ``test`` after ``svy: mean, over()``),
  also on weighted ranks (R's ``svyranktest``); a cross-table: the Rao–Scott second-order
  chi-square (R's ``svychisq(statistic = "F")``).

``design: srs`` gives back exactly the older figures (:func:`weighted_mean_ci`,
:func:`weighted_proportion_ci` on Kish's effective n), with ``deff`` the weighting effect
``n / n_eff`` (1 without weights).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as _sp

from fivestar_analysis.analysis.stats import (
    MEAN_KEYS,
    PROPORTION_KEYS,
    t_interval,
    weighted_mean_ci,
    weighted_proportion_ci,
    wilson_interval,
)
from fivestar_analysis.errors import InvalidArgument
from fivestar_analysis.model.county import County
from fivestar_analysis.model.survey_design import SurveyDesign

__all__ = [
    "DESIGN_MEAN_KEYS",
    "DESIGN_PROPORTION_KEYS",
    "BoundDesign",
    "bind_design",
    "county_design",
    "design_label",
    "with_design_columns",
]

#: keys of :meth:`BoundDesign.mean`: those of every mean estimator, then se, deff, df
DESIGN_MEAN_KEYS = (*MEAN_KEYS, "se", "deff", "df")
DESIGN_PROPORTION_KEYS = (*PROPORTION_KEYS, "se", "deff", "df")
_PSU_COLUMN = {"branch": "branch_id"}
_STRATA_COLUMN = {"township": "township"}


def county_design(county: County, design: SurveyDesign | str | dict | None = None
                  ) -> SurveyDesign:
    """The design to use: ``design`` if given, else the county's, else PSU = branch."""
    if isinstance(design, SurveyDesign):
        return design
    if design is not None:
        return SurveyDesign.from_spec(design)
    return getattr(county.meta, "survey_design", None) or SurveyDesign()


def with_design_columns(frame: pd.DataFrame, county: County, design: SurveyDesign
                        ) -> pd.DataFrame:
    """``frame`` (keyed by respondent_id) with the design's weight column when it is not
    the standard ``weight`` one (taken from the survey)."""
    col = design.weights
    if design.is_srs or col in frame.columns or county.survey is None:
        return frame
    if col not in county.survey.columns:
        raise InvalidArgument(f"the survey has no weight column {col!r} (survey.design.weights)")
    extra = pd.DataFrame({"respondent_id": county.survey["respondent_id"].astype(str),
                          col: pd.to_numeric(county.survey[col], errors="coerce")})
    return frame.merge(extra, on="respondent_id", how="left")


def design_label(design: SurveyDesign, language: str = "zh") -> str:
    """A short description of the design for a method note, from the label resources."""
    from fivestar_analysis.model.labels import label

    if design.is_srs:
        return label("design_srs", language)
    text = label("design_cluster", language)
    if design.strata:
        text += label("design_strata", language)
    if design.fpc:
        text += label("design_fpc", language)
    return text


def _codes(values: pd.Series) -> tuple[np.ndarray, int]:
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    codes = codes.astype(np.int64)
    if (codes < 0).any():  # a respondent without PSU or stratum is a unit of their own
        missing = np.flatnonzero(codes < 0)
        codes[missing] = len(uniques) + np.arange(missing.size)
    return codes, int(codes.max() + 1) if codes.size else 0


@dataclass(frozen=True)
class BoundDesign:
    """A design bound to the rows of one respondent frame (arrays in frame order)."""

    design: SurveyDesign
    weight: np.ndarray      # per row (NaN or <= 0: the row counts nowhere)
    psu: np.ndarray         # per row: PSU code 0..n_psu-1
    psu_stratum: np.ndarray  # per PSU: stratum code
    psu_scale: np.ndarray   # per PSU: (1 - f_h) n_h / (n_h - 1); 1 for a lonely PSU
    lonely: np.ndarray      # per PSU: True when its stratum has one PSU

    def vcov(self, z: np.ndarray, active: np.ndarray | None = None) -> np.ndarray:
        """Covariance matrix of the totals of the linearised variables ``z`` (rows × k).

        ``active`` (per PSU) limits the strata counted to those holding an active PSU;
        the default counts every PSU of the design.
        """
        z = np.nan_to_num(z if z.ndim == 2 else z[:, None])
        t = np.column_stack([np.bincount(self.psu, weights=z[:, j],
                                         minlength=self.psu_stratum.size)
                             for j in range(z.shape[1])])
        strata = self.psu_stratum
        n_h = np.bincount(strata).astype("float64")
        sums = np.stack([np.bincount(strata, weights=t[:, j], minlength=n_h.size)
                         for j in range(t.shape[1])], axis=1)
        centre = sums[strata] / n_h[strata, None]
        centre[self.lonely] = t.mean(axis=0)  # lonely PSU: centred on the grand mean
        d = t - centre
        scale = self.psu_scale
        return (d * scale[:, None]).T @ d

    def _df(self, rows: np.ndarray) -> float:
        psus = np.unique(self.psu[rows])
        strata = np.unique(self.psu_stratum[psus])
        return float(max(psus.size - strata.size, 1))

    def mean(self, values: np.ndarray, domain: np.ndarray | None = None,
             confidence: float = 0.95) -> dict[str, float]:
        """Mean of ``values`` (NaN ignored) over the rows in ``domain`` (default: all).

        Returns :data:`DESIGN_MEAN_KEYS`. Under ``srs`` the first six keys are exactly
        those of :func:`weighted_mean_ci`.
        """
        y = np.asarray(values, dtype="float64")
        w = self.weight
        rows = np.isfinite(y) & np.isfinite(w) & (w > 0)
        if domain is not None:
            rows &= np.asarray(domain, dtype=bool)
        base = weighted_mean_ci(y[rows], w[rows], confidence)
        n = base["n"]
        if self.design.is_srs or n < 2 or not np.isfinite(base["sd"]):
            deff = n / base["n_eff"] if base["n_eff"] > 0 else math.nan
            se = (base["sd"] / math.sqrt(base["n_eff"])
                  if base["n_eff"] > 0 and np.isfinite(base["sd"]) else math.nan)
            return {**base, "se": se, "deff": deff if n else math.nan,
                    "df": base["n_eff"] - 1.0 if n else math.nan}
        m = base["estimate"]
        sw = float(w[rows].sum())
        z = np.where(rows, w * (np.nan_to_num(y) - m) / sw, 0.0)
        v = float(self.vcov(z)[0, 0])
        se = math.sqrt(max(v, 0.0))
        wr, yr = w[rows], y[rows]
        s2 = float((wr * (yr - m) ** 2).sum() / wr.sum()) * n / (n - 1.0)
        deff = v / (s2 / n) if s2 > 0 else math.nan
        df = self._df(np.flatnonzero(rows))
        lo, hi = t_interval(m, se, df, confidence) if se > 0 else (m, m)
        n_eff = n / deff if deff and np.isfinite(deff) and deff > 0 else float(n)
        return {"n": n, "n_eff": n_eff, "estimate": m, "sd": base["sd"], "ci_low": lo,
                "ci_high": hi, "se": se, "deff": deff, "df": df}

    def proportion(self, hits: np.ndarray, domain: np.ndarray | None = None,
                   confidence: float = 0.95) -> dict[str, float]:
        """Share of 1 among ``hits`` (1/0, NaN ignored): :data:`DESIGN_PROPORTION_KEYS`.

        The interval is Wilson's on the design's effective n (``n / deff``); under ``srs``
        it is :func:`weighted_proportion_ci` exactly.
        """
        h = np.asarray(hits, dtype="float64")
        w = self.weight
        rows = np.isfinite(h) & np.isfinite(w) & (w > 0)
        if domain is not None:
            rows &= np.asarray(domain, dtype=bool)
        base = weighted_proportion_ci(h[rows], w[rows], confidence)
        if self.design.is_srs or base["n"] < 2:
            ne = base["n_eff"]
            p = base["estimate"]
            se = math.sqrt(p * (1 - p) / ne) if ne > 0 and np.isfinite(p) else math.nan
            return {**base, "se": se, "deff": base["n"] / ne if ne > 0 else math.nan,
                    "df": ne - 1.0 if base["n"] else math.nan}
        m = self.mean(h, rows, confidence)
        p, deff = m["estimate"], m["deff"]
        n_eff = base["n"] / deff if np.isfinite(deff) and deff > 0 else float(base["n"])
        if p in (0.0, 1.0):  # no spread at all: as a simple random sample of n
            n_eff = float(base["n"])
        lo, hi = wilson_interval(p * n_eff, n_eff, confidence)
        return {"n": base["n"], "n_eff": n_eff, "count": base["count"], "estimate": p,
                "ci_low": lo, "ci_high": hi, "se": m["se"], "deff": deff, "df": m["df"]}

    def domain_means(self, values: np.ndarray, groups: np.ndarray
                     ) -> tuple[list, np.ndarray, np.ndarray, np.ndarray]:
        """Means of ``values`` in each group with their joint linearised covariance.

        Returns ``(labels, means, vcov, n)``; rows with a missing value or group are left out.
        """
        y = np.asarray(values, dtype="float64")
        codes, uniques = pd.factorize(pd.Series(groups, dtype=object), use_na_sentinel=True)
        w = self.weight
        ok = np.isfinite(y) & np.isfinite(w) & (w > 0) & (codes >= 0)
        present = np.unique(codes[ok])  # in order of first appearance, as pd.unique
        present = present[np.argsort([np.flatnonzero(ok & (codes == c))[0] for c in present])]
        labels = [uniques[c] for c in present]
        z = np.zeros((y.size, len(labels)))
        means, ns = np.zeros(len(labels)), np.zeros(len(labels))
        for j, c in enumerate(present):
            d = ok & (codes == c)
            sw = float(w[d].sum())
            means[j] = float((w[d] * y[d]).sum() / sw)
            ns[j] = d.sum()
            z[d, j] = w[d] * (y[d] - means[j]) / sw
        return labels, means, self.vcov(z), ns

    def wald_means(self, values: np.ndarray, groups: np.ndarray) -> dict[str, float]:
        """Are the group means equal? The design-based adjusted Wald F test.

        ``W = c' (C V C')⁻¹ c`` for the differences ``c`` of each group's mean from the
        first; ``F = W (d − q + 1) / (q d)`` on ``(q, d − q + 1)`` degrees of freedom, with
        q = groups − 1 and d the design's degrees of freedom (Korn & Graubard 1990).
        Under ``srs`` each respondent is its own PSU.
        """
        labels, means, v, _ = self.domain_means(values, groups)
        y = np.asarray(values, dtype="float64")
        q = len(labels) - 1
        out = {"statistic": math.nan, "df1": float(max(q, 0)), "df2": math.nan,
               "p_value": math.nan}
        if q < 1:
            return out
        c = means[1:] - means[0]
        cm = np.hstack([-np.ones((q, 1)), np.eye(q)])
        cv = cm @ v @ cm.T
        d = self._df(np.flatnonzero(np.isfinite(y) & pd.Series(groups).notna().to_numpy()))
        if d - q + 1 <= 0:
            return out
        try:
            w_stat = float(c @ np.linalg.solve(cv, c))
        except np.linalg.LinAlgError:
            w_stat = float(c @ np.linalg.pinv(cv) @ c)
        f = w_stat * (d - q + 1) / (q * d)
        out.update(statistic=f, df2=float(d - q + 1),
                   p_value=float(_sp.f.sf(f, q, d - q + 1)) if np.isfinite(f) else math.nan)
        return out

    def rank_test(self, values: np.ndarray, groups: np.ndarray) -> dict[str, float]:
        """Design-based Kruskal–Wallis: the adjusted Wald F test of :meth:`wald_means` on
        the values' weighted mid-ranks, each value replaced by the estimated share of the
        population below it plus half the share equal to it (Lumley & Scott 2013; R's
        ``svyranktest(test = "KruskalWallis")``). Unlike the plain rank test it honours
        weights and the clustering of respondents.
        """
        y = np.asarray(values, dtype="float64")
        w = self.weight
        ok = np.isfinite(y) & np.isfinite(w) & (w > 0) & pd.Series(groups).notna().to_numpy()
        ranks = np.full(y.size, np.nan)
        if ok.any():
            uniq, inv = np.unique(y[ok], return_inverse=True)
            mass = np.bincount(inv, weights=w[ok], minlength=uniq.size) / w[ok].sum()
            below = np.cumsum(mass) - mass
            ranks[ok] = (below + mass / 2.0)[inv]
        return self.wald_means(ranks, groups)

    def rao_scott(self, rows_var: np.ndarray, cols_var: np.ndarray) -> dict[str, float]:
        """Rao–Scott second-order corrected chi-square of independence of a cross-table.

        As R's ``svychisq(statistic = "F")``: Pearson's X² of the design-weighted table
        scaled to n, divided by ``tr(Δ)`` and referred to ``F(ν, ν·d)`` with
        ``ν = tr(Δ)² / tr(Δ²)``, Δ the generalised design effects of the interaction
        contrasts. ``deff`` is the mean generalised design effect ``tr(Δ) / df``.
        """
        a = pd.Series(rows_var, dtype=object)
        b = pd.Series(cols_var, dtype=object)
        w = self.weight
        ok = a.notna().to_numpy() & b.notna().to_numpy() & np.isfinite(w) & (w > 0)
        out = {"statistic": math.nan, "df1": math.nan, "df2": math.nan, "p_value": math.nan,
               "deff": math.nan}
        ra, rl = pd.factorize(a[ok])
        cb, cl = pd.factorize(b[ok])
        r, c = len(rl), len(cl)
        if r < 2 or c < 2:
            return out
        idx = np.flatnonzero(ok)
        n = idx.size
        cell = ra * c + cb
        ww = w[idx]
        p = np.bincount(cell, weights=ww, minlength=r * c) / ww.sum()
        if (p <= 0).any():  # an empty cell: drop nothing, but keep the test defined
            p = np.maximum(p, 1e-12)
        ind = np.zeros((w.size, r * c))
        ind[idx, cell] = 1.0
        z = np.where(ok[:, None], w[:, None] * (ind - p[None, :]) / ww.sum(), 0.0)
        v = self.vcov(z)
        pr, pc = p.reshape(r, c).sum(axis=1), p.reshape(r, c).sum(axis=0)
        expected = np.outer(pr, pc).ravel()
        x2 = float(n * ((p - expected) ** 2 / expected).sum())
        x1 = np.column_stack([np.ones(r * c)]
                             + [np.repeat(np.eye(r)[:, i], c) for i in range(1, r)]
                             + [np.tile(np.eye(c)[:, j], r) for j in range(1, c)])
        x12 = np.column_stack([np.repeat(np.eye(r)[:, i], c) * np.tile(np.eye(c)[:, j], r)
                               for i in range(1, r) for j in range(1, c)])
        q, _ = np.linalg.qr(x1)
        cmat = x12 - q @ (q.T @ x12)
        idm = np.diag(1.0 / p)
        denom = cmat.T @ (idm / n) @ cmat
        numer = cmat.T @ idm @ v @ idm @ cmat
        try:
            delta = np.linalg.solve(denom, numer)
        except np.linalg.LinAlgError:  # a degenerate table: no corrected test
            return out
        tr, tr2 = float(np.trace(delta)), float(np.trace(delta @ delta))
        if not (np.isfinite(tr) and np.isfinite(tr2) and tr > 0 and tr2 > 0):
            return out
        nu = tr * tr / tr2
        d = self._df(idx)
        f = x2 / tr
        out.update(statistic=f, df1=nu, df2=nu * d, p_value=float(_sp.f.sf(f, nu, nu * d)),
                   deff=tr / ((r - 1) * (c - 1)))
        return out


def bind_design(frame: pd.DataFrame, design: SurveyDesign,
                branches: pd.DataFrame | None = None) -> BoundDesign:
    """Bind a design to a respondent frame (``respondent_frame`` or ``score_respondents``).

    ``branches`` (the ledger of the report year) gives the number of branches of each
    stratum for the finite population correction.
    """
    wcol = design.weights
    if wcol not in frame.columns:
        if wcol != "weight":
            raise InvalidArgument(f"the survey has no weight column {wcol!r}")
        weight = np.ones(len(frame))
    else:
        weight = pd.to_numeric(frame[wcol], errors="coerce").to_numpy(dtype="float64")
    if design.is_srs or design.psu == "none":
        psu, n_psu = np.arange(len(frame), dtype=np.int64), len(frame)
    else:
        psu, n_psu = _codes(frame[_PSU_COLUMN[design.psu]])
    if design.strata and not design.is_srs:
        col = _STRATA_COLUMN[design.strata]
        strata, _ = _codes(frame[col])
        first = np.full(n_psu, -1, dtype=np.int64)
        first[psu[::-1]] = strata[::-1]  # a PSU's stratum: that of its first row
        psu_stratum, _ = _codes(pd.Series(first))
    else:
        psu_stratum = np.zeros(n_psu, dtype=np.int64)
    n_h = np.bincount(psu_stratum).astype("float64")
    per = n_h[psu_stratum]
    lonely = per < 2
    scale = np.where(lonely, 1.0, per / np.maximum(per - 1.0, 1.0))
    if design.fpc and not design.is_srs:
        scale = scale * (1.0 - _sampling_fraction(frame, design, psu, psu_stratum, branches))
    return BoundDesign(design=design, weight=weight, psu=psu, psu_stratum=psu_stratum,
                       psu_scale=scale, lonely=lonely)


def _sampling_fraction(frame: pd.DataFrame, design: SurveyDesign, psu: np.ndarray,
                       psu_stratum: np.ndarray, branches: pd.DataFrame | None) -> np.ndarray:
    """Per PSU: sampled branches of its stratum over the ledger's branches there."""
    if branches is None:
        raise InvalidArgument("fpc needs the ledger's branches of the report year")
    n_psu = psu_stratum.size
    first_row = np.full(n_psu, -1, dtype=np.int64)
    first_row[psu[::-1]] = np.arange(psu.size)[::-1]
    if design.strata:
        col = _STRATA_COLUMN[design.strata]
        totals = branches.groupby(col, observed=True)["branch_id"].nunique()
        key = frame[col].astype(object).to_numpy()[first_row]
        big_n = pd.Series(key).map(totals).to_numpy(dtype="float64")
    else:
        big_n = np.full(n_psu, float(branches["branch_id"].nunique()))
    small_n = np.bincount(psu_stratum).astype("float64")[psu_stratum]
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(big_n > 0, small_n / big_n, 0.0)
    return np.clip(np.nan_to_num(f), 0.0, 1.0)
