"""Design-based tests over a bound survey design: group means (adjusted Wald F), ranks
(a design-based Kruskal–Wallis) and cross-tables (Rao–Scott).

Each takes a :class:`~fivestar_analysis.analysis.survey.design.BoundDesign` (whose methods
of the same names call these). The joint covariance of many domain means is built from PSU
totals: densely for a county's handful of groups, as a sparse matrix when PSUs × groups is
large (a province's thousands of townships), so memory grows with the respondents, not with
respondents × groups.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import sparse
from scipy import stats as _sp

from fivestar_analysis.analysis.survey.design import BoundDesign, group_codes

__all__ = ["group_codes", "domain_means", "wald_means", "rank_test", "rao_scott", "DENSE_CELLS"]

#: above this many PSU × group cells the PSU totals are kept as a sparse matrix
DENSE_CELLS = 4_000_000


def domain_means(bound: BoundDesign, values: np.ndarray, groups: np.ndarray,
                 *, dense_cells: int | None = None
                 ) -> tuple[list, np.ndarray, np.ndarray, np.ndarray]:
    """Means of ``values`` in each group with their joint linearised covariance.

    Returns ``(labels, means, vcov, n)``, groups in order of first appearance; rows with a
    missing value or group are left out (``groups`` as in :func:`group_codes`). Each
    group's linearised variable is ``w (y − ȳ_g) / Σ_g w`` on its rows and 0 elsewhere;
    its PSU totals are summed group by group (work proportional to the rows, not rows ×
    groups). Above ``dense_cells`` PSU × group cells (a province's townships) every group
    is done in one pass and the totals kept sparse.
    """
    y = np.asarray(values, dtype="float64")
    codes, uniques = group_codes(groups)
    w = bound.weight
    ok = np.isfinite(y) & np.isfinite(w) & (w > 0) & (codes >= 0)
    rows = np.flatnonzero(ok)
    ok_codes = codes[rows]
    seen, first = np.unique(ok_codes, return_index=True)
    present = seen[np.argsort(first)]  # in order of first appearance, as pd.unique
    labels = [uniques[c] for c in present]
    k = len(labels)
    slot = np.full(len(uniques), -1, dtype=np.int64)
    slot[present] = np.arange(k)
    order = rows[np.argsort(slot[ok_codes], kind="stable")]  # rows by group, ascending
    sizes = np.bincount(slot[ok_codes], minlength=k)
    n_psu = bound.n_psu
    limit = DENSE_CELLS if dense_cells is None else dense_cells
    if n_psu * k > limit:
        col = np.repeat(np.arange(k), sizes)
        wo, yo = w[order], y[order]
        sw = np.bincount(col, weights=wo, minlength=k)
        means = np.bincount(col, weights=wo * yo, minlength=k) / sw
        z = wo * (yo - means[col]) / sw[col]
        totals = sparse.csr_matrix((z, (bound.psu[order], col)), shape=(n_psu, k))
        return labels, means, sparse_vcov_totals(bound, totals), sizes.astype("float64")
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    means, ns = np.zeros(k), np.zeros(k)
    t = np.zeros((n_psu, k))
    for j in range(k):
        d = order[bounds[j]:bounds[j + 1]]
        sw = float(w[d].sum())
        means[j] = float((w[d] * y[d]).sum() / sw)
        ns[j] = d.size
        t[:, j] = np.bincount(bound.psu[d], weights=(w[d] * (y[d] - means[j]) / sw),
                              minlength=n_psu)
    return labels, means, bound.vcov_totals(t), ns


def sparse_vcov_totals(bound: BoundDesign, t: sparse.spmatrix) -> np.ndarray:
    """:meth:`BoundDesign.vcov_totals` for sparse PSU totals, without a dense PSUs × k
    matrix: ``Σ_i s_i (t_i − c_i)(t_i − c_i)'`` expanded as
    ``T'ST − (T'SA)M − M'(A'ST) + M' diag(A's) M``, where A maps each PSU to its centre
    (its stratum, or the grand mean for a lonely PSU) and M holds the centres."""
    n_psu, k = t.shape
    s = bound.psu_scale
    strata = bound.psu_stratum
    n_strata = int(strata.max()) + 1 if strata.size else 0
    t = sparse.csr_matrix(t)
    by_stratum = sparse.csr_matrix((np.ones(n_psu), (strata, np.arange(n_psu))),
                                   shape=(n_strata, n_psu))
    n_h = np.bincount(strata, minlength=n_strata).astype("float64")
    centres = np.vstack([(by_stratum @ t).toarray() / n_h[:, None],
                         np.asarray(t.mean(axis=0)).reshape(1, k)])
    group = np.where(bound.lonely, n_strata, strata)
    scaled = sparse.csr_matrix((s, (np.arange(n_psu), group)), shape=(n_psu, n_strata + 1))
    sigma = np.bincount(group, weights=s, minlength=n_strata + 1)
    tst = (t.T @ sparse.diags(s) @ t).toarray()
    tsa = (t.T @ scaled).toarray()  # k × (strata + 1)
    cross = tsa @ centres
    return tst - cross - cross.T + centres.T @ (sigma[:, None] * centres)


def wald_means(bound: BoundDesign, values: np.ndarray, groups: np.ndarray) -> dict[str, float]:
    """Are the group means equal? The design-based adjusted Wald F test.

    ``W = c' (C V C')⁻¹ c`` for the differences ``c`` of each group's mean from the
    first; ``F = W (d − q + 1) / (q d)`` on ``(q, d − q + 1)`` degrees of freedom, with
    q = groups − 1 and d the design's degrees of freedom (Korn & Graubard 1990).
    Under ``srs`` each respondent is its own PSU.
    """
    codes = group_codes(groups)[0]  # hashed once, for the means and the PSUs' df
    labels, means, v, _ = domain_means(bound, values, codes)
    y = np.asarray(values, dtype="float64")
    q = len(labels) - 1
    out = {"statistic": math.nan, "df1": float(max(q, 0)), "df2": math.nan,
           "p_value": math.nan}
    if q < 1:
        return out
    c = means[1:] - means[0]
    # covariance of the differences from the first mean (C V C' for C = [-1 | I])
    cv = v[1:, 1:] - v[1:, :1] - v[:1, 1:] + v[0, 0]
    d = bound.df_of(np.flatnonzero(np.isfinite(y) & (codes >= 0)))
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


def rank_test(bound: BoundDesign, values: np.ndarray, groups: np.ndarray) -> dict[str, float]:
    """Design-based Kruskal–Wallis: the adjusted Wald F test of :meth:`wald_means` on
    the values' weighted mid-ranks, each value replaced by the estimated share of the
    population below it plus half the share equal to it (Lumley & Scott 2013; R's
    ``svyranktest(test = "KruskalWallis")``). Unlike the plain rank test it honours
    weights and the clustering of respondents.
    """
    y = np.asarray(values, dtype="float64")
    w = bound.weight
    codes = group_codes(groups)[0]
    ok = np.isfinite(y) & np.isfinite(w) & (w > 0) & (codes >= 0)
    ranks = np.full(y.size, np.nan)
    if ok.any():
        uniq, inv = np.unique(y[ok], return_inverse=True)
        mass = np.bincount(inv, weights=w[ok], minlength=uniq.size) / w[ok].sum()
        below = np.cumsum(mass) - mass
        ranks[ok] = (below + mass / 2.0)[inv]
    return wald_means(bound, ranks, codes)


def rao_scott(bound: BoundDesign, rows_var: np.ndarray, cols_var: np.ndarray) -> dict[str, float]:
    """Rao–Scott second-order corrected chi-square of independence of a cross-table.

    As R's ``svychisq(statistic = "F")``: Pearson's X² of the design-weighted table
    scaled to n, divided by ``tr(Δ)`` and referred to ``F(ν, ν·d)`` with
    ``ν = tr(Δ)² / tr(Δ²)``, Δ the generalised design effects of the interaction
    contrasts. ``deff`` is the mean generalised design effect ``tr(Δ) / df``.
    """
    a = pd.Series(rows_var, dtype=object)
    b = pd.Series(cols_var, dtype=object)
    w = bound.weight
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
    v = bound.vcov(z)
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
    d = bound.df_of(idx)
    f = x2 / tr
    out.update(statistic=f, df1=nu, df2=nu * d, p_value=float(_sp.f.sf(f, nu, nu * d)),
               deff=tr / ((r - 1) * (c - 1)))
    return out
