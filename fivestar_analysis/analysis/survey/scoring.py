"""Codebook-driven scoring: value labels, cleaning, reverse coding, dimension scores.

Rules
-----
* An answer is *valid* when it lies on the item's scale: a whole number in
  ``[scale_min, scale_max]`` for satisfaction/importance items, 0 or 1 for knowledge items,
  one of the codebook's options for choice items (any whole number on the scale when a
  choice item has no options).
* An invalid code is *don't know* when it is one of ``scoring.dont_know_codes``, when its
  value label contains one of ``scoring.dont_know_words`` (e.g. ``9=说不清``), or when it
  is a labelled code off the scale of a satisfaction, importance or knowledge item; every
  other invalid code is *out of scale*. Both become missing and are counted by
  :func:`item_quality`.
* Reverse-coded satisfaction/importance items are flipped: ``scale_min + scale_max - x``.
* A respondent's dimension score is the mean of the dimension's valid items when at least
  ``min_share_answered`` of them are valid; the 0-100 index is the mean of the item indices
  ``(x - scale_min) / (scale_max - scale_min) * 100``.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from fivestar_analysis.analysis.survey._frame import (
    LIKERT_ROLES,
    as_categories,
    codebook,
    memoized,
    respondent_frame,
)
from fivestar_analysis.analysis.survey.config import SurveyConfig, load_survey_config
from fivestar_analysis.analysis.survey.suppress import suppress_small
from fivestar_analysis.errors import InvalidArgument
from fivestar_analysis.model.county import County

__all__ = [
    "value_labels",
    "item_quality",
    "clean_items",
    "score_respondents",
    "parse_multi",
    "COMPOSITE",
    "NUMERIC_ROLES",
]

#: the dimension key of the respondent's mean over the star dimensions (``overall`` excluded)
COMPOSITE = "composite"
NUMERIC_ROLES = ("satisfaction", "importance", "knowledge", "choice")
_NON_STAR_DIMENSIONS = ("overall", "awareness", "participation", "problems", "suggestions")
_MULTI_SPLIT = re.compile(r"[;；,，、/|\s]+")


def value_labels(county: County) -> pd.DataFrame:
    """Value labels of every item that has options, one row per code.

    Returns
    -------
    pandas.DataFrame
        ``item, dimension, role, value (int64), value_label``.
    """
    rows = [
        (r.item, r.dimension, r.role, code, text)
        for r in codebook(county).itertuples()
        for code, text in sorted(r.options.items())
    ]
    out = pd.DataFrame(rows, columns=["item", "dimension", "role", "value", "value_label"])
    return out.astype({"value": "int64"})


def _is_dont_know_label(text: str, cfg: SurveyConfig) -> bool:
    t = str(text).lower()
    return any(w.lower() in t for w in cfg.dont_know_words)


def _valid_mask(x: pd.Series, spec: pd.Series, cfg: SurveyConfig) -> np.ndarray:
    v = x.to_numpy(dtype="float64", na_value=np.nan)
    whole = np.isfinite(v) & (np.round(v) == v)
    if spec["role"] == "choice" and spec["options"]:
        codes = [c for c, t in spec["options"].items() if not _is_dont_know_label(t, cfg)]
        return whole & np.isin(v, np.asarray(codes, dtype="float64"))
    return whole & (v >= spec["scale_min"]) & (v <= spec["scale_max"])


def _classify(x: pd.Series, spec: pd.Series, cfg: SurveyConfig) -> dict[str, np.ndarray]:
    """Boolean masks blank / valid / dont_know / out_of_scale for one numeric item."""
    v = x.to_numpy(dtype="float64", na_value=np.nan)
    blank = ~np.isfinite(v)
    valid = _valid_mask(x, spec, cfg)
    dk_codes = set(cfg.dont_know_codes) | {
        float(c) for c, t in spec["options"].items() if _is_dont_know_label(t, cfg)
    }
    declared = spec.get("missing", ()) if hasattr(spec, "get") else ()
    if isinstance(declared, (tuple, list)):  # the codebook's declared missing codes
        dk_codes |= {float(c) for c in declared}
    if spec["role"] != "choice":  # a labelled code off a Likert or 0/1 scale is a non-answer
        dk_codes |= {float(c) for c in spec["options"]
                     if not spec["scale_min"] <= c <= spec["scale_max"]}
    dont_know = ~blank & ~valid & np.isin(v, np.asarray(sorted(dk_codes), dtype="float64"))
    return {"blank": blank, "valid": valid, "dont_know": dont_know,
            "out_of_scale": ~blank & ~valid & ~dont_know}


def parse_multi(value: object) -> list[int] | None:
    """Codes of a multi-select answer (``"1;3"`` -> ``[1, 3]``); None when blank.

    Codes that are not whole numbers come back as ``-1`` so they can be counted as
    out of scale.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    if not text:
        return None
    codes = []
    for part in _MULTI_SPLIT.split(text):
        part = part.strip()
        if not part:
            continue
        try:
            f = float(part)
            codes.append(int(f) if f == int(f) else -1)
        except ValueError:
            codes.append(-1)
    return codes or None


def item_quality(county: County, config: SurveyConfig | dict | None = None) -> pd.DataFrame:
    """Per item: how many answers are valid, blank, "don't know" or out of scale.

    Returns
    -------
    pandas.DataFrame
        ``item, dimension, role, n, n_valid, n_blank, n_dont_know, n_out_of_scale,
        share_valid, suppressed``; ``n`` is the number of respondents. For multi items
        an answer holding an unknown code is out of scale; text items count non-empty
        answers as valid. With fewer than k respondents in all, the counts are blanked.
    """
    cfg = load_survey_config(config)
    cb = codebook(county)
    s = respondent_frame(county)
    rows = []
    for _, spec in cb.iterrows():
        col = s[spec["item"]]
        n = len(col)
        if spec["role"] in NUMERIC_ROLES:
            m = _classify(pd.to_numeric(col, errors="coerce"), spec, cfg)
            counts = {k: int(v.sum()) for k, v in m.items()}
        elif spec["role"] == "multi":
            # each distinct answer parsed once, counted as often as it occurs
            codes, uniques = pd.factorize(col.to_numpy(dtype=object), use_na_sentinel=False)
            times = np.bincount(codes, minlength=len(uniques))
            parsed = [parse_multi(u) for u in uniques]
            known = set(spec["options"])
            blank = int(sum(int(t) for p, t in zip(parsed, times) if not isinstance(p, list)))
            bad = int(sum(int(t) for p, t in zip(parsed, times) if isinstance(p, list)
                          and any(c not in known if known else c < 0 for c in p)))
            counts = {"blank": blank, "valid": n - blank - bad, "dont_know": 0,
                      "out_of_scale": bad}
        else:
            text = col.astype(object).where(col.notna(), "").astype(str).str.strip()
            blank = int((text == "").sum())
            counts = {"blank": blank, "valid": n - blank, "dont_know": 0, "out_of_scale": 0}
        rows.append({
            "item": spec["item"], "dimension": spec["dimension"], "role": spec["role"],
            "n": n, "n_valid": counts["valid"], "n_blank": counts["blank"],
            "n_dont_know": counts["dont_know"], "n_out_of_scale": counts["out_of_scale"],
            "share_valid": counts["valid"] / n if n else np.nan,
        })
    out = pd.DataFrame(rows, columns=["item", "dimension", "role", "n", "n_valid", "n_blank",
                                      "n_dont_know", "n_out_of_scale", "share_valid"])
    counts = ["n_valid", "n_blank", "n_dont_know", "n_out_of_scale", "share_valid"]
    return suppress_small(out, cfg.k, figure_columns=counts)


def clean_items(county: County, config: SurveyConfig | dict | None = None) -> pd.DataFrame:
    """Numeric items with invalid codes set to missing and reverse items flipped.

    Returns
    -------
    pandas.DataFrame
        ``respondent_id`` then one float64 column per satisfaction, importance, knowledge
        and choice item, in survey row order. Respondent-level data: for further analysis,
        not for publication.
    """
    cfg = load_survey_config(config)
    return memoized("clean_items", county, repr(cfg), lambda: _clean_items(county, cfg))


def _clean_items(county: County, cfg: SurveyConfig) -> pd.DataFrame:
    cb = codebook(county)
    s = respondent_frame(county)
    out = pd.DataFrame({"respondent_id": s["respondent_id"]})
    for _, spec in cb[cb["role"].isin(NUMERIC_ROLES)].iterrows():
        x = pd.to_numeric(s[spec["item"]], errors="coerce").astype("float64")
        x = x.where(_classify(x, spec, cfg)["valid"])
        if spec["reverse"] and spec["role"] in LIKERT_ROLES:
            x = spec["scale_min"] + spec["scale_max"] - x
        out[spec["item"]] = x
    return out


def _dimension_scores(s: pd.DataFrame, clean: pd.DataFrame, items: pd.DataFrame,
                      min_share: float) -> pd.DataFrame:
    """Score and index per respondent for one dimension's items."""
    x = clean[items["item"].tolist()].to_numpy(dtype="float64")
    lo = items["scale_min"].to_numpy()
    hi = items["scale_max"].to_numpy()
    idx = (x - lo) / (hi - lo) * 100.0
    answered = np.isfinite(x).sum(axis=1)
    ok = (answered >= min_share * x.shape[1] - 1e-9) & (answered > 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # mean of an all-missing row
        score = np.where(ok, np.nanmean(x, axis=1), np.nan)
        index = np.where(ok, np.nanmean(idx, axis=1), np.nan)
    return pd.DataFrame({"n_items": x.shape[1], "n_answered": answered,
                         "score": score, "index": index}, index=s.index)


def score_respondents(
    county: County,
    role: str = "satisfaction",
    config: SurveyConfig | dict | None = None,
    *,
    min_share_answered: float | None = None,
) -> pd.DataFrame:
    """Dimension scores per respondent (long form), plus the composite over star dimensions.

    Parameters
    ----------
    county
        A county with a survey and codebook.
    role
        ``"satisfaction"`` or ``"importance"``: which items to score.
    config
        Survey settings or overrides (see :func:`load_survey_config`).
    min_share_answered
        Share of a dimension's items that must be valid; default from the settings (0.5).

    Returns
    -------
    pandas.DataFrame
        ``respondent_id, branch_id, group, township, kind, level, weight, dimension,
        n_items, n_answered, score, index``. The ``composite`` dimension is the mean of
        the respondent's star-dimension scores (``overall`` and the other non-star
        dimensions left out), needing the same share of dimensions scored.
        Respondent-level data: for further analysis, not for publication.
    """
    if role not in LIKERT_ROLES:
        raise InvalidArgument(f"role must be one of {LIKERT_ROLES}, not {role!r}")
    cfg = load_survey_config(config)
    share = cfg.min_share_answered if min_share_answered is None else float(min_share_answered)
    return memoized("score_respondents", county, (role, share, repr(cfg)),
                    lambda: _score_respondents(county, role, cfg, share))


def _mean_as_groupby(rows: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Per column: the mean of the non-missing values of ``rows`` (one array per row)
    and their count, summed in row order with the compensated summation of pandas'
    ``groupby().mean()`` — the same bits as grouping the stacked rows by respondent."""
    total = np.zeros(rows[0].size)
    comp = np.zeros(rows[0].size)
    count = np.zeros(rows[0].size, dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):  # inf - inf, 0 / 0
        for x in rows:
            ok = ~np.isnan(x)
            y = x - comp
            t = total + y
            c = (t - total) - y
            c[c != c] = 0.0
            total = np.where(ok, t, total)
            comp = np.where(ok, c, comp)
            count += ok
        return total / count, count


def _composite(base: pd.DataFrame, star_scores: list[pd.DataFrame], share: float
               ) -> pd.DataFrame:
    """The composite over the star dimensions: the mean of a respondent's dimension
    scores (and indices) when at least ``share`` of the dimensions are scored."""
    score, answered = _mean_as_groupby([sc["score"].to_numpy(dtype="float64")
                                        for sc in star_scores])
    index, _ = _mean_as_groupby([sc["index"].to_numpy(dtype="float64") for sc in star_scores])
    n_items = len(star_scores)
    ok = answered >= share * n_items - 1e-9
    return base.assign(n_items=np.full(len(base), n_items, dtype=np.int64),
                       n_answered=answered, score=np.where(ok, score, np.nan),
                       index=np.where(ok, index, np.nan))


def _score_respondents(county: County, role: str, cfg: SurveyConfig, share: float
                       ) -> pd.DataFrame:
    cb = codebook(county)
    s = respondent_frame(county)
    clean = clean_items(county, cfg)
    base = s[["respondent_id", "branch_id", "group", "township", "kind", "level", "weight"]]
    parts = []
    items = cb[cb["role"] == role]
    star_scores = []
    for dim, its in items.groupby("dimension", sort=False):
        sc = _dimension_scores(s, clean, its, share)
        parts.append(pd.concat([base, sc.assign(dimension=dim)], axis=1))
        if dim not in _NON_STAR_DIMENSIONS:
            star_scores.append(sc)
    cols = ["respondent_id", "branch_id", "group", "township", "kind", "level", "weight",
            "dimension", "n_items", "n_answered", "score", "index"]
    if not parts:
        return pd.DataFrame(columns=cols)
    if len(star_scores) > 1:
        parts.append(_composite(base, star_scores, share).assign(dimension=COMPOSITE))
    long = pd.concat(parts, ignore_index=True)
    long["n_items"] = long["n_items"].astype("int64")
    long["n_answered"] = long["n_answered"].astype("int64")
    long["dimension"] = as_categories(long["dimension"])  # one factorisation for every table
    return long[cols]
