"""Small statistical helpers shared by the survey modules (no pandas state, no printing)."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import stats

__all__ = ["mean_ci", "wilson_interval", "holm", "kish_n_eff"]


def _clean(values: np.ndarray, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(values, dtype="float64")
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype="float64")
    keep = np.isfinite(x) & np.isfinite(w) & (w > 0)
    return x[keep], w[keep]


def kish_n_eff(weights: np.ndarray) -> float:
    """Kish's effective sample size (Σw)² / Σw²; equals n for equal weights."""
    w = np.asarray(weights, dtype="float64")
    s2 = float((w**2).sum())
    return float(w.sum() ** 2 / s2) if s2 > 0 else 0.0


@lru_cache(maxsize=4096)
def _t_quantile(q: float, df: float) -> float:
    """``scipy.stats.t.ppf(q, df)``, remembered: tables of many groups repeat the same df."""
    return float(stats.t.ppf(q, df))


@lru_cache(maxsize=16)
def _z_quantile(q: float) -> float:
    return float(stats.norm.ppf(q))


def mean_ci(
    values: np.ndarray, weights: np.ndarray | None = None, confidence: float = 0.95
) -> tuple[int, float, float, float, float, float]:
    """Mean with a t-interval; with weights, a weighted mean on Kish's effective n.

    Returns ``(n, n_eff, mean, sd, ci_low, ci_high)``. The weighted variance is the
    weighted mean square deviation scaled by n_eff / (n_eff - 1), so equal weights give
    exactly the ordinary sample variance and t-interval with n - 1 degrees of freedom.
    """
    x, w = _clean(values, weights)
    n = int(x.size)
    if n == 0:
        return 0, 0.0, math.nan, math.nan, math.nan, math.nan
    sw = float(w.sum())
    m = float((w * x).sum() / sw)
    n_eff = kish_n_eff(w)
    if n_eff <= 1.0 + 1e-12:
        return n, n_eff, m, math.nan, math.nan, math.nan
    var = float((w * (x - m) ** 2).sum() / sw) * n_eff / (n_eff - 1.0)
    sd = math.sqrt(var)
    half = _t_quantile(0.5 + confidence / 2.0, n_eff - 1.0) * sd / math.sqrt(n_eff)
    return n, n_eff, m, sd, m - half, m + half


def wilson_interval(successes: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``successes / n`` (n may be an effective n).

    >>> [round(v, 4) for v in wilson_interval(81, 263)]
    [0.2553, 0.3662]
    """
    if n <= 0:
        return math.nan, math.nan
    p = successes / n
    z = _z_quantile(0.5 + confidence / 2.0)
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = z / denom * math.sqrt(max(p * (1.0 - p) / n + z2 / (4.0 * n * n), 0.0))
    lo = 0.0 if p <= 0 else max(0.0, centre - half)  # exact at the ends (no rounding dust)
    hi = 1.0 if p >= 1 else min(1.0, centre + half)
    return float(lo), float(hi)


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (NaN entries are left out and stay NaN)."""
    p = np.asarray(p_values, dtype="float64")
    out = np.full_like(p, np.nan)
    idx = np.flatnonzero(np.isfinite(p))
    m = idx.size
    if m == 0:
        return out
    order = idx[np.argsort(p[idx], kind="stable")]
    # running maximum of min(1, (m - rank) · p) along the sorted p-values
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
    out[order] = np.maximum.accumulate(np.maximum(scaled, 0.0))
    return out
