"""Survey key drivers: which area moves overall satisfaction most (derived importance).

Overall satisfaction (the ``overall`` dimension; without one, the composite score) is
regressed on the star dimensions' scores, respondent by respondent. As the dimensions are
correlated, the R² is split among them by Johnson's (2000) relative weights: the
predictors are replaced by their closest orthogonal counterparts ``Z = X Λ⁻¹ᐟ²``-style
(``Λ = R_xx^½``), the outcome is regressed on Z, and each predictor's weight is
``Σ_k Λ_jk² β_k²``; the weights add up to R². ``importance`` is each weight's share of R².

Intervals come from a cluster bootstrap that resamples whole branches (respondents of a
branch are alike, so resampling people would be too confident); replicate count and seed
are in ``resources/drivers.yaml``. Survey weights, when present, weight the correlations.
Stated importance (the mean of the importance items) is set beside the derived one.

References
----------
Johnson, J. W. (2000). A heuristic method for estimating the relative weight of predictor
variables in multiple regression. *Multivariate Behavioral Research* 35(1), 1–19.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from fivestar_analysis.analysis.drivers.branch import settings
from fivestar_analysis.analysis.survey._frame import shared_inputs
from fivestar_analysis.analysis.survey.scoring import COMPOSITE, score_respondents
from fivestar_analysis.model.county import County

__all__ = ["relative_weights", "key_drivers", "KEY_DRIVER_COLUMNS"]

KEY_DRIVER_COLUMNS = ["dimension", "importance", "ci_low", "ci_high", "rank", "weight", "r2",
                      "satisfaction", "stated_importance", "stated_rank", "n", "n_branches"]


def relative_weights(corr: np.ndarray) -> np.ndarray:
    """Johnson's relative weights from a correlation matrix whose last row/column is the
    outcome; they add up to the R² of the regression.

    Examples
    --------
    >>> r = np.array([[1.0, 0.0, 0.6], [0.0, 1.0, 0.3], [0.6, 0.3, 1.0]])
    >>> relative_weights(r).round(2).tolist()  # uncorrelated: the squared correlations
    [0.36, 0.09]
    """
    rxx, rxy = corr[:-1, :-1], corr[:-1, -1]
    vals, vecs = np.linalg.eigh(rxx)
    vals = np.clip(vals, 1e-12, None)
    lam = vecs @ np.diag(np.sqrt(vals)) @ vecs.T
    beta = np.linalg.solve(lam, rxy)
    return (lam**2) @ (beta**2)


def _corr_from_moments(s: np.ndarray) -> np.ndarray:
    """Correlation matrix from weighted raw moments ``[Σw, Σw m, Σw m m']`` packed in the
    (p+1)×(p+1) matrix of ``[1, m]``."""
    total = s[0, 0]
    mean = s[0, 1:] / total
    cov = s[1:, 1:] / total - np.outer(mean, mean)
    sd = np.sqrt(np.clip(np.diag(cov), 1e-300, None))
    return cov / np.outer(sd, sd)


def _branch_moments(m: np.ndarray, w: np.ndarray, codes: np.ndarray, n_b: int) -> np.ndarray:
    """Weighted raw moments ``Σ w m_j m_k`` per branch, shape (branches, p, p).

    One ``bincount`` per cell: each sums the same products ``(w m_j) m_k`` in the same
    row order as ``np.add.at`` over the rows × p × p array did, so the values are the same
    to the bit, without that n × p × p temporary (81 floats a respondent for nine columns).
    """
    p = m.shape[1]
    wm = w[:, None] * m
    out = np.empty((n_b, p, p))
    for j in range(p):
        for k in range(p):
            out[:, j, k] = np.bincount(codes, weights=wm[:, j] * m[:, k], minlength=n_b)
    return out


def _wide(county: County, role: str, config) -> pd.DataFrame:
    """One row per respondent (in order of first appearance): ``respondent_id, branch_id,
    weight`` and a score column per dimension (in the dimensions' sorted order)."""
    long = score_respondents(county, role, config)
    rid, ids = pd.factorize(long["respondent_id"])
    dims = pd.Categorical(long["dimension"])
    present = np.unique(dims.codes[dims.codes >= 0])
    grid = np.full((len(ids), len(dims.categories)), np.nan)
    grid[rid, dims.codes] = long["score"].to_numpy(dtype="float64", na_value=np.nan)
    first = np.unique(rid, return_index=True)[1]
    out = {"respondent_id": np.asarray(ids, dtype=object),
           "branch_id": long["branch_id"].to_numpy()[first],
           "weight": long["weight"].to_numpy(dtype="float64")[first]}
    out.update({dims.categories[j]: grid[:, j] for j in present})
    return pd.DataFrame(out)


def key_drivers(county: County, config=None, *, bootstrap: int | None = None,
                seed: int | None = None, confidence: float = 0.95
                ) -> tuple[pd.DataFrame, dict]:
    """Derived importance of each star dimension for overall satisfaction.

    Returns
    -------
    (table, info)
        ``table``: :data:`KEY_DRIVER_COLUMNS`, one row per dimension, most important first
        (``importance`` the share of R², ``ci_low``/``ci_high`` its cluster-bootstrap
        percentile interval, ``weight`` the raw relative weight, ``satisfaction`` the mean
        score, ``stated_importance`` the mean importance answer and its rank). ``info``:
        ``outcome``, ``n``, ``n_branches``, ``r2``, ``bootstrap``, ``seed``, ``method``,
        ``note`` (``""``, ``no_survey_dimensions`` (fewer than two star areas, or
        no spread) or ``too_few_respondents``).
    """
    with shared_inputs():  # the satisfaction and importance scores share their cleaned items
        return _key_drivers(county, config, bootstrap, seed, confidence)


def _key_drivers(county: County, config, bootstrap: int | None, seed: int | None,
                 confidence: float) -> tuple[pd.DataFrame, dict]:
    cfg = settings()["survey"]
    reps = int(cfg["bootstrap"] if bootstrap is None else bootstrap)
    seed = int(cfg["seed"] if seed is None else seed)
    wide = _wide(county, "satisfaction", config)
    stars = [k for k in county.rubric.all_star_keys() if k in wide.columns]
    outcome = "overall" if "overall" in wide.columns else COMPOSITE
    info = {"outcome": outcome, "n": 0, "n_branches": 0, "r2": math.nan, "bootstrap": reps,
            "seed": seed, "method": "johnson_relative_weights", "note": ""}
    empty = pd.DataFrame(columns=KEY_DRIVER_COLUMNS)
    if len(stars) < 2 or outcome not in wide.columns:
        info["note"] = "no_survey_dimensions"
        return empty, info
    data = wide[["branch_id", "weight", *stars, outcome]].dropna()
    data = data[data["weight"] > 0]
    stars = [d for d in stars if data[d].nunique() > 1]  # an area everyone rated alike
    if len(stars) < 2 or data[outcome].nunique() < 2:
        info["note"] = "no_survey_dimensions"
        return empty, info
    if len(data) < cfg["min_respondents"]:
        info["note"] = "too_few_respondents"
        return empty, info
    m = np.column_stack([np.ones(len(data)), data[[*stars, outcome]].to_numpy(dtype="float64")])
    w = data["weight"].to_numpy(dtype="float64")
    codes, _ = pd.factorize(data["branch_id"])
    n_b = int(codes.max() + 1)
    per_branch = _branch_moments(m, w, codes, n_b)
    raw = relative_weights(_corr_from_moments(per_branch.sum(axis=0)))
    r2 = float(raw.sum())
    rng = np.random.default_rng(seed)
    shares = np.full((reps, len(stars)), np.nan)
    for i in range(reps):
        counts = np.bincount(rng.integers(0, n_b, n_b), minlength=n_b).astype("float64")
        try:
            rw = relative_weights(_corr_from_moments(np.tensordot(counts, per_branch, axes=1)))
        except np.linalg.LinAlgError:  # a degenerate resample (few branches): left out
            continue
        shares[i] = rw / rw.sum()
    alpha = (1 - confidence) / 2
    lo, hi = (np.nanquantile(shares, [alpha, 1 - alpha], axis=0) if reps
              else (np.full(len(stars), np.nan),) * 2)
    table = pd.DataFrame({"dimension": stars, "importance": raw / r2, "ci_low": lo,
                          "ci_high": hi, "weight": raw, "r2": r2})
    table["rank"] = table["importance"].rank(ascending=False, method="min").astype("int64")
    sat = {d: float(np.average(data[d], weights=w)) for d in stars}
    table["satisfaction"] = table["dimension"].map(sat)
    table["stated_importance"] = table["dimension"].map(_stated(county, config, stars))
    table["stated_rank"] = table["stated_importance"].rank(ascending=False, method="min"
                                                           ).astype("Int64")
    table["n"], table["n_branches"] = len(data), n_b
    info.update(n=len(data), n_branches=n_b, r2=r2)
    return table.sort_values("rank", kind="stable")[KEY_DRIVER_COLUMNS].reset_index(
        drop=True), info


def _stated(county: County, config, stars: list[str]) -> dict[str, float]:
    """Mean (weighted) importance answer per dimension; empty without importance items."""
    cb = county.codebook
    if cb is None or not (cb["role"].astype(str).str.strip().str.lower() == "importance").any():
        return {}
    wide = _wide(county, "importance", config)
    out = {}
    for d in stars:
        if d in wide.columns:
            ok = wide[d].notna() & (wide["weight"] > 0)
            if ok.any():
                out[d] = float(np.average(wide.loc[ok, d], weights=wide.loc[ok, "weight"]))
    return out
