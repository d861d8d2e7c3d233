"""What goes with a branch's stars: logistic models per star, an ordinal model of the level.

For the report year, each star of a kind is modelled on that kind's branches with a
logistic regression (``statsmodels`` ``Logit``), and the level (number of stars) on every
branch with a proportional-odds ordinal logistic model (``OrderedModel``). The factors are
the branch covariates the ledger holds (``resources/drivers.yaml``: log collective income,
the secretary's rating, the weak-and-lax flag, party members, population, households,
community versus rural), each entered on a readable unit (per doubling of income, per star
of rating …), all at once, so each odds ratio is adjusted for the others.

Branches of one township share their township's circumstances, so standard errors are
cluster-robust by township, and intervals and p-values use t on (townships − 1) degrees of
freedom, as few clusters make the normal reference too confident (with fewer townships
than ``min_clusters``, heteroskedasticity-robust HC1 errors and the normal reference
instead; the ``se_method`` column says which). Factors with
too much missing, no variation, too few branches on one side, or nearly the same as an
earlier factor are left out with the reason. A model with (quasi-)separation or that does
not converge is reported with a note and without estimates, never as a crash.

These are associations among branches, not proof of cause.
"""

from __future__ import annotations

import math
import warnings
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy import stats as _sp

from fivestar_analysis.analysis.stats import t_quantile, z_quantile
from fivestar_analysis.model.county import County

__all__ = ["COEF_COLUMNS", "EXCLUDED_COLUMNS", "FIT_COLUMNS", "branch_models", "settings"]

COEF_COLUMNS = ["outcome", "kind", "model", "factor", "per", "odds_ratio", "ci_low", "ci_high",
                "p_value", "n"]
FIT_COLUMNS = ["outcome", "kind", "model", "n", "n_events", "n_clusters", "pseudo_r2", "se_method",
               "status", "note"]
EXCLUDED_COLUMNS = ["outcome", "factor", "reason"]


@lru_cache(maxsize=1)
def settings() -> dict[str, Any]:
    """``resources/drivers.yaml``."""
    path = resources.files("fivestar_analysis") / "resources" / "drivers.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _factor_values(b: pd.DataFrame, name: str, spec: dict[str, Any]) -> pd.Series | None:
    if name not in b.columns:
        return None
    col = b[name]
    kind = spec.get("transform", "identity")
    if kind == "community":
        return (col.astype(object) == "community").astype("float64").where(col.notna())
    if kind == "bool":
        return col.astype("boolean").astype("Float64").astype("float64")
    x = pd.to_numeric(col, errors="coerce").astype("float64")
    if kind == "log2p1":
        x = np.log2(1.0 + x.clip(lower=0))
    return x / float(spec.get("scale", 1))


def _candidates(b: pd.DataFrame, cfg: dict[str, Any], outcome: str
                ) -> tuple[pd.DataFrame, list[dict]]:
    """Factor columns that may enter, and the excluded ones with their reason."""
    cols, excluded = {}, []
    for name, spec in cfg["factors"].items():
        x = _factor_values(b, name, spec)
        if x is None or x.isna().all():
            continue  # not in this ledger: nothing to say
        if spec.get("transform") == "community" and b["kind"].nunique() < 2:
            continue  # a model of one kind of branch: the kind is not a factor of it
        miss = float(x.isna().mean())
        if miss > cfg["max_missing_share"]:
            excluded.append({"outcome": outcome, "factor": name, "reason": "too_much_missing"})
            continue
        cols[name] = x
    return pd.DataFrame(cols, index=b.index), excluded


def _screen(x: pd.DataFrame, cfg: dict[str, Any], outcome: str) -> tuple[list[str], list[dict]]:
    """Within the complete cases: drop constant, too rare and collinear factors."""
    keep, excluded = [], []
    for name in x.columns:
        v = x[name]
        values = v.nunique()
        if values < 2:
            excluded.append({"outcome": outcome, "factor": name, "reason": "no_variation"})
            continue
        if values == 2 and int(v.value_counts().min()) < cfg["min_minority"]:
            excluded.append({"outcome": outcome, "factor": name, "reason": "too_few_values"})
            continue
        if any(abs(float(np.corrcoef(v, x[k])[0, 1])) > cfg["max_correlation"] for k in keep):
            excluded.append({"outcome": outcome, "factor": name, "reason": "collinear"})
            continue
        keep.append(name)
    return keep, excluded


@lru_cache(maxsize=1)
def _ordered_logit() -> type:
    """``OrderedModel`` whose ``distr="logit"`` cdf is ``scipy.special.expit``.

    ``stats.logistic.cdf`` computes ``expit`` too, but through scipy.stats' argument
    checks (location, scale, support), which cost more than the function itself; the fit
    calls it thousands of times (numerical gradients and Hessian). ``expit`` gives the same
    values bit for bit, including 0 and 1 at the infinite outer thresholds, so the fit,
    its standard errors and p-values are unchanged. Everything else (start values from
    ``stats.logistic.ppf``, the pdf) is statsmodels' own.
    """
    from scipy.special import expit
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    class OrderedLogit(OrderedModel):
        def cdf(self, x: Any) -> Any:
            return expit(x)

    return OrderedLogit


def _fit(kind: str, y: Any, x: pd.DataFrame, groups: np.ndarray, cfg: dict[str, Any]
         ) -> tuple[Any, str, str | None, str | None]:
    """Fit one model: (result or None, se_method, note key or None, the factor to blame)."""
    import statsmodels.api as sm

    n_clusters = int(pd.Series(groups).nunique())
    if n_clusters >= cfg["min_clusters"]:
        se_method, cov = "cluster_township", {"cov_type": "cluster",
                                              "cov_kwds": {"groups": groups}}
    else:
        se_method, cov = "hc1", {"cov_type": "HC1"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # separation and overflow are judged below
        try:
            if kind == "logit":
                res = sm.Logit(y, sm.add_constant(x, has_constant="add")).fit(
                    disp=0, maxiter=100, **cov)
            else:
                res = _ordered_logit()(y, x, distr="logit").fit(method="bfgs", disp=0,
                                                                maxiter=300, **cov)
        except Exception as exc:  # noqa: BLE001 - statsmodels raises many kinds on degenerate data
            name = type(exc).__name__
            return None, se_method, "separation" if "Separation" in name else "not_converged", None
    params = res.params[list(x.columns)]
    bse = res.bse[list(x.columns)]
    scaled = params.abs() * x.std(ddof=0)
    culprit = str(scaled.idxmax()) if scaled.notna().any() else None
    if scaled.max() > cfg["max_scaled_coefficient"]:
        return None, se_method, "separation", culprit
    if not bool(res.mle_retvals.get("converged", True)):
        return None, se_method, "not_converged", culprit
    if not np.isfinite(bse).all() or not np.isfinite(params).all():
        return None, se_method, "not_converged", culprit
    return res, se_method, None, None


def _separating(x: pd.DataFrame, y: np.ndarray, kind: str) -> list[str]:
    """Yes/no factors that perfectly predict the outcome on one side (a 2×2 cell empty for
    a star; all of one side at the lowest or highest level for the level)."""
    out = []
    for name in x.columns:
        v = x[name].to_numpy()
        if np.unique(v).size != 2:
            continue
        for side in np.unique(v):
            ys = y[v == side]
            if kind == "logit" and (ys.min() == ys.max()):
                out.append(name)
                break
            if kind != "logit" and ys.size and (ys.max() == y.min() or ys.min() == y.max()):
                out.append(name)
                break
    return out


def _model(outcome: str, kind: str, y: pd.Series, b: pd.DataFrame, cfg: dict[str, Any],
           confidence: float, branch_kind: str) -> tuple[list[dict], dict, list[dict]]:
    x, excluded = _candidates(b, cfg, outcome)
    data = pd.concat([y.rename("_y"), x, b["township"].rename("_g")], axis=1).dropna()
    keep, more = _screen(data[list(x.columns)], cfg, outcome)
    excluded += more
    yv = data["_y"].to_numpy()
    fit = {"outcome": outcome, "kind": branch_kind, "model": kind, "n": len(data), "n_events": math.nan,
           "n_clusters": int(data["_g"].nunique()), "pseudo_r2": math.nan, "se_method": "",
           "status": "ok", "note": ""}
    if kind == "logit":
        events = int(yv.sum())
        fit["n_events"] = events
        if min(events, len(yv) - events) < cfg["min_events"]:
            fit.update(status="skipped", note="too_few_events")
            return [], fit, excluded
    elif np.unique(yv).size < 2:
        fit.update(status="skipped", note="no_variation")
        return [], fit, excluded
    if not keep:
        fit.update(status="skipped", note="no_factors")
        return [], fit, excluded
    for name in _separating(data[keep], yv, kind):
        keep.remove(name)
        excluded.append({"outcome": outcome, "factor": name, "reason": "separation"})
    yk = yv.astype(int) if kind == "logit" else pd.Series(
        pd.Categorical(yv.astype(int), ordered=True), index=data.index)
    groups = data["_g"].astype(str).to_numpy()
    res, note = None, "no_factors"
    for _ in range(3):  # a factor that separates the outcome is left out and the model refit
        if not keep:
            break
        res, se_method, note, culprit = _fit(kind, yk, data[keep].astype("float64"), groups, cfg)
        fit["se_method"] = se_method
        if res is not None or culprit is None or len(keep) == 1:
            break
        keep.remove(culprit)
        excluded.append({"outcome": outcome, "factor": culprit, "reason": note})
    if res is None:
        fit.update(status="skipped" if note == "no_factors" else note, note=note)
        return [], fit, excluded
    fit["pseudo_r2"] = float(res.prsquared)
    # with errors clustered by township, few clusters make z too confident: t on
    # (townships - 1) degrees of freedom instead (Cameron & Miller 2015)
    df = fit["n_clusters"] - 1 if se_method == "cluster_township" else math.inf
    q = z_quantile(confidence) if math.isinf(df) else t_quantile(confidence, df)
    units = {k: cfg["factors"][k].get("unit", "") for k in keep}
    rows = []
    for k in keep:
        beta, se = float(res.params[k]), float(res.bse[k])
        stat = abs(beta / se)
        p = 2 * (_sp.norm.sf(stat) if math.isinf(df) else _sp.t.sf(stat, df))
        rows.append({"outcome": outcome, "kind": branch_kind, "model": kind, "factor": k,
                     "per": units[k], "odds_ratio": math.exp(beta),
                     "ci_low": math.exp(beta - q * se), "ci_high": math.exp(beta + q * se),
                     "p_value": float(p), "n": len(data)})
    return rows, fit, excluded


def branch_models(county: County, year: int | None = None, *, confidence: float = 0.95,
                  config: dict[str, Any] | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Logistic models per star and an ordinal model of the level, for ``year``.

    Returns
    -------
    (coefficients, fits, excluded)
        ``coefficients``: :data:`COEF_COLUMNS` (``outcome`` ``level`` or a star key,
        ``kind`` the branches modelled: ``all`` for the level, the star's kind,
        ``model`` ``ordinal``/``logit``, ``factor`` a canonical column, ``unit`` the unit
        of its odds ratio in ``per``, Wald CI on the robust SE, p, n). ``fits``: :data:`FIT_COLUMNS`
        (``pseudo_r2`` McFadden's, ``se_method`` ``cluster_township`` or ``hc1``,
        ``status`` ``ok``/``skipped``/``separation``/``not_converged``). ``excluded``:
        :data:`EXCLUDED_COLUMNS` (``reason``: too_much_missing, no_variation,
        too_few_values, collinear, separation, not_converged: a factor that separated the
        outcome or stopped the fit is left out and the model fitted again).
    """
    cfg = {**settings()["branch"], **(config or {})}
    year = int(year or county.year)
    b = county.branches_in(year).set_index("branch_id", drop=False)
    coefs, fits, excluded = [], [], []
    level = b["level"].astype("float64")
    r, f, e = _model("level", "ordinal", level, b, cfg, confidence, "all")
    coefs += r
    fits.append(f)
    excluded += e
    matrix = county.star_matrix(year=year)
    if len(matrix):
        matrix = matrix.reset_index(level="year", drop=True)
    for kind, spec in county.rubric.kinds.items():
        sub = b[b["kind"].astype(object) == kind]
        if sub.empty:
            continue
        for star in spec.stars:
            if star.key not in matrix.columns:
                continue
            y = matrix[star.key].reindex(sub.index).astype("float64")
            r, f, e = _model(star.key, "logit", y, sub, cfg, confidence, kind)
            coefs += r
            fits.append(f)
            excluded += e
    return (pd.DataFrame(coefs, columns=COEF_COLUMNS), pd.DataFrame(fits, columns=FIT_COLUMNS),
            pd.DataFrame(excluded, columns=EXCLUDED_COLUMNS))
