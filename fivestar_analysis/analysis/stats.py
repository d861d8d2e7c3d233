"""The statistics every analysis shares, each implemented once.

Functions here are pure (numbers and arrays in, numbers or a tidy result out), know nothing
of counties, and are each checked against an independent reference in
``tests/test_stats.py``. The star, survey and comparison modules call them; none of them
carries its own copy.

Contents

- sample size and quantiles: :func:`kish_n_eff`, :func:`z_quantile`, :func:`t_quantile`
- intervals: :func:`t_interval` (estimate ± t · SE), :func:`wilson_interval`,
  :func:`spearman_ci` (Fisher z with the Bonett–Wright standard error)
- weighted survey estimates: :func:`weighted_mean_ci`, :func:`weighted_proportion_ci`
- effect sizes: :func:`epsilon_squared` and :func:`eta_squared_h` (Kruskal–Wallis),
  :func:`cramers_v` (chi-square), :func:`rank_biserial` (Mann–Whitney U)
- multiple testing: :func:`holm`; one group against the rest pooled: :func:`fisher_vs_rest`

The weighted estimators take Kish's effective n as their sample size and build the interval
from an estimate, a standard error and degrees of freedom (:func:`t_interval`). A
design-based estimator (for example a mean with a cluster-robust SE by branch and
``clusters - 1`` degrees of freedom) belongs beside them: it computes its own SE and df,
calls the same :func:`t_interval`, and returns the same keys (:data:`MEAN_KEYS`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import stats as _sp

__all__ = [
    "MEAN_KEYS", "PROPORTION_KEYS", "VS_REST_COLUMNS",
    "kish_n_eff", "z_quantile", "t_quantile",
    "t_interval", "wilson_interval", "spearman_ci",
    "weighted_mean_ci", "weighted_proportion_ci",
    "epsilon_squared", "eta_squared_h", "cramers_v", "rank_biserial",
    "holm", "fisher_vs_rest",
]

#: keys of :func:`weighted_mean_ci` (and of any other estimator of a mean)
MEAN_KEYS = ("n", "n_eff", "estimate", "sd", "ci_low", "ci_high")
#: keys of :func:`weighted_proportion_ci`
PROPORTION_KEYS = ("n", "n_eff", "count", "estimate", "ci_low", "ci_high")
#: columns of :func:`fisher_vs_rest`
VS_REST_COLUMNS = ["rest_n", "rest_count", "rest_share", "odds_ratio", "p_value", "p_adj"]

ArrayLike = Sequence[float] | np.ndarray


# -- sample size and quantiles --------------------------------------------------------

def kish_n_eff(weights: ArrayLike) -> float:
    """Kish's effective sample size ``(Σw)² / Σw²``; n for equal weights, 0 without weight."""
    w = np.asarray(weights, dtype="float64")
    s2 = float((w**2).sum())
    return float(w.sum() ** 2 / s2) if s2 > 0 else 0.0


@lru_cache(maxsize=64)
def z_quantile(confidence: float) -> float:
    """Two-sided standard normal quantile of a confidence level (1.959964 for 0.95)."""
    return float(_sp.norm.ppf(0.5 + confidence / 2.0))


@lru_cache(maxsize=4096)  # tables of many subgroups repeat the same df
def t_quantile(confidence: float, df: float) -> float:
    """Two-sided Student t quantile of a confidence level with ``df`` degrees of freedom."""
    return float(_sp.t.ppf(0.5 + confidence / 2.0, df))


# -- intervals --------------------------------------------------------------------------

def t_interval(estimate: float, se: float, df: float,
               confidence: float = 0.95) -> tuple[float, float]:
    """``estimate ± t(df) · se``, the t interval of any estimate with a standard error.

    Examples
    --------
    >>> [round(v, 4) for v in t_interval(3.5, 1.2693 / 10**0.5, 9)]
    [2.592, 4.408]
    """
    half = t_quantile(confidence, df) * se
    return estimate - half, estimate + half


def wilson_interval(successes: float, n: float,
                    confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of the proportion ``successes / n`` (n may be an effective n).

    ``(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)``, without continuity
    correction; exactly 0 (1) at the lower (upper) end when p is 0 (1). NaN when n <= 0.

    Examples
    --------
    >>> [round(v, 4) for v in wilson_interval(81, 263)]  # Newcombe (1998), Table I
    [0.2553, 0.3662]
    """
    if n <= 0:
        return math.nan, math.nan
    p = successes / n
    z = z_quantile(confidence)
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = z / denom * math.sqrt(max(p * (1.0 - p) / n + z2 / (4.0 * n * n), 0.0))
    lo = 0.0 if p <= 0 else max(0.0, centre - half)  # exact at the ends (no rounding dust)
    hi = 1.0 if p >= 1 else min(1.0, centre + half)
    return float(lo), float(hi)


def spearman_ci(rho: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Confidence interval of Spearman's rho by Bonett and Wright (2000).

    The interval is built on Fisher's z scale, ``tanh(atanh(rho) ± z · se)``, with the
    standard error Bonett and Wright give for rank correlations,
    ``se = sqrt((1 + rho² / 2) / (n - 3))`` (not the Pearson ``1 / sqrt(n - 3)``).
    NaN when n <= 3 or rho is NaN; ``(rho, rho)`` when ``|rho| = 1``.

    References
    ----------
    Bonett, D. G. & Wright, T. A. (2000). Sample size requirements for estimating Pearson,
    Kendall and Spearman correlations. *Psychometrika* 65(1), 23–28.
    """
    if n <= 3 or not np.isfinite(rho):
        return math.nan, math.nan
    if abs(rho) >= 1:
        return rho, rho
    z = math.atanh(rho)
    se = math.sqrt((1.0 + rho * rho / 2.0) / (n - 3))
    q = z_quantile(confidence)
    return math.tanh(z - q * se), math.tanh(z + q * se)


# -- weighted survey estimates ----------------------------------------------------------

def _finite_positive(values: ArrayLike,
                     weights: ArrayLike | None) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(values, dtype="float64")
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype="float64")
    keep = np.isfinite(x) & np.isfinite(w) & (w > 0)
    return x[keep], w[keep]


def weighted_mean_ci(values: ArrayLike, weights: ArrayLike | None = None,
                     confidence: float = 0.95) -> dict[str, float]:
    """Mean with a t interval; with weights, a weighted mean on Kish's effective n.

    Parameters
    ----------
    values
        Observations; NaN are ignored.
    weights
        Optional survey weights (a NaN or non-positive weight drops its observation).
    confidence
        Confidence level of the interval.

    Returns
    -------
    dict
        :data:`MEAN_KEYS`: ``n, n_eff, estimate, sd, ci_low, ci_high``. The weighted
        variance is the weighted mean squared deviation times ``n_eff / (n_eff - 1)``, and
        the interval ``estimate ± t(n_eff - 1) · sd / sqrt(n_eff)``; equal weights give
        exactly the ordinary sample SD and t interval with n - 1 degrees of freedom.

    Examples
    --------
    >>> r = weighted_mean_ci([1, 2, 3, 4, 5])
    >>> round(r["ci_low"], 3), round(r["ci_high"], 3)
    (1.037, 4.963)
    """
    x, w = _finite_positive(values, weights)
    n = int(x.size)
    if n == 0:
        return dict(zip(MEAN_KEYS, (0, 0.0, math.nan, math.nan, math.nan, math.nan)))
    sw = float(w.sum())
    m = float((w * x).sum() / sw)
    n_eff = kish_n_eff(w)
    if n_eff <= 1.0 + 1e-12:
        return dict(zip(MEAN_KEYS, (n, n_eff, m, math.nan, math.nan, math.nan)))
    sd = math.sqrt(float((w * (x - m) ** 2).sum() / sw) * n_eff / (n_eff - 1.0))
    lo, hi = t_interval(m, sd / math.sqrt(n_eff), n_eff - 1.0, confidence)
    return dict(zip(MEAN_KEYS, (n, n_eff, m, sd, lo, hi)))


def weighted_proportion_ci(hits: ArrayLike, weights: ArrayLike | None = None,
                           confidence: float = 0.95) -> dict[str, float]:
    """Share of true among ``hits`` (1/0, NaN ignored) with a Wilson interval on Kish's n.

    Returns
    -------
    dict
        :data:`PROPORTION_KEYS`: ``n, n_eff, count (unweighted hits), estimate (weighted
        share), ci_low, ci_high``; the interval is :func:`wilson_interval` of
        ``estimate · n_eff`` successes in ``n_eff``.
    """
    h, w = _finite_positive(hits, weights)
    n = int(h.size)
    if n == 0:
        return dict(zip(PROPORTION_KEYS, (0, 0.0, 0, math.nan, math.nan, math.nan)))
    p = float((w * h).sum() / w.sum())
    n_eff = kish_n_eff(w)
    lo, hi = wilson_interval(p * n_eff, n_eff, confidence)
    return dict(zip(PROPORTION_KEYS, (n, n_eff, int(h.sum()), p, lo, hi)))


# -- effect sizes -----------------------------------------------------------------------

def epsilon_squared(h: float, n: int) -> float:
    """Kruskal–Wallis effect size ε² = H / (n − 1) (Tomczak & Tomczak 2014, eq. 10).

    Equals ``H / ((n² − 1) / (n + 1))``; lies in [0, 1] for the tie-corrected H.

    >>> round(epsilon_squared(6.0, 31), 3)
    0.2
    """
    return float(h) / (n - 1) if n > 1 else math.nan


def eta_squared_h(h: float, n: int, k: int) -> float:
    """Kruskal–Wallis effect size η²_H = (H − k + 1) / (n − k) for k groups of n in all.

    Tomczak & Tomczak (2014), eq. 9; it can be slightly negative when H < k − 1.

    >>> round(eta_squared_h(6.0, 31, 3), 4)
    0.1429
    """
    return (float(h) - k + 1) / (n - k) if n > k else math.nan


def cramers_v(chi2: float, n: float, shape: tuple[int, int]) -> float:
    """Cramér's V of an ``r × c`` table: ``sqrt(χ² / (n · (min(r, c) − 1)))``.

    The plain V, without Bergsma's (2013) bias correction; ``chi2`` is Pearson's statistic
    without continuity correction (as ``scipy.stats.contingency.association`` uses).
    NaN for a table with a single row or column, or no counts.
    """
    m = min(shape) - 1
    if m < 1 or not n:
        return math.nan
    return math.sqrt(chi2 / (n * m))


def rank_biserial(u: float | np.ndarray, n1: float | np.ndarray,
                  n2: float | np.ndarray) -> float | np.ndarray:
    """Rank-biserial correlation ``2U / (n1 n2) − 1`` of the Mann–Whitney U of sample 1.

    The share of pairs in which sample 1 is higher minus the share in which it is lower
    (ties count half to each): +1 when every value of sample 1 exceeds every value of
    sample 2. Works elementwise on arrays.
    """
    return 2.0 * u / (n1 * n2) - 1.0


# -- multiple testing and one against the rest -------------------------------------------

def holm(p_values: ArrayLike) -> np.ndarray:
    """Holm's step-down adjusted p-values; NaN entries are left out and stay NaN.

    Sorted ascending, ``p_adj[(j)] = max_{i <= j} min(1, (m − i) · p[(i)])`` with ``i`` from
    0 and ``m`` the number of non-missing p-values; returned in the input order.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03, 0.005]).round(2).tolist()
    [0.03, 0.06, 0.06, 0.02]
    """
    p = np.asarray(p_values, dtype="float64")
    out = np.full(p.shape, np.nan)
    idx = np.flatnonzero(np.isfinite(p))
    m = idx.size
    if m == 0:
        return out
    order = idx[np.argsort(p[idx], kind="stable")]
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
    out[order] = np.maximum.accumulate(np.maximum(scaled, 0.0))
    return out


def fisher_vs_rest(count: ArrayLike, n: ArrayLike, *, min_n: int = 1) -> pd.DataFrame:
    """Each group against all the other groups pooled: is its share lower?

    For a group with ``count`` successes out of ``n``, among ``K`` out of ``N`` over all
    groups, the one-sided Fisher exact p-value is ``P(X <= count)`` with ``X ~
    Hypergeom(N, K, n)`` (``scipy.stats.fisher_exact(..., alternative="less")``);
    p-values are Holm-adjusted over the groups tested.

    Parameters
    ----------
    count, n
        Successes and size of each group (integers, same length).
    min_n
        Groups smaller than this, or holding every observation, are not tested (NaN p).

    Returns
    -------
    DataFrame
        :data:`VS_REST_COLUMNS` in the input order: ``rest_n, rest_count, rest_share,
        odds_ratio`` (group against rest; NaN when a cell of its off-diagonal is 0),
        ``p_value, p_adj``.
    """
    x, n = np.asarray(count), np.asarray(n)
    total, hits = int(n.sum()), int(x.sum())
    rest_n, rest_x = total - n, hits - x
    a, b, c, d = x, n - x, rest_x, rest_n - rest_x
    with np.errstate(divide="ignore", invalid="ignore"):
        rest_share = np.where(rest_n > 0, rest_x / np.maximum(rest_n, 1), np.nan)
        odds = np.where(b * c > 0, (a * d) / np.maximum(b * c, 1), np.nan)
    tested = (n >= min_n) & (rest_n > 0)
    p = np.where(tested, _sp.hypergeom.cdf(x, total, hits, n), np.nan)
    return pd.DataFrame({"rest_n": rest_n, "rest_count": rest_x, "rest_share": rest_share,
                         "odds_ratio": odds, "p_value": p, "p_adj": holm(p)})
