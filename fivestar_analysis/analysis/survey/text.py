"""Open answers: jieba segmentation with a campaign dictionary, top terms, themes, examples.

The packaged domain dictionary (``resources/survey/domain_dict.txt``) keeps campaign terms
such as 集体经济, 人居环境, 软弱涣散 and 五星支部 whole; stop words come from
``resources/survey/stopwords.txt``. Themes are keyword lists in the survey settings, keyed
by star area; an answer belongs to every theme whose keywords it contains.

Privacy: every answer passes through :func:`fivestar_analysis.load.privacy.mask_text` again
before it is used (ID and phone numbers, names before a title), masks are removed before
counting terms, a term used in fewer than k answers never appears (a rare word may be a
person's name), and words jieba tags as personal names are left out of the top terms.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from fivestar_analysis.analysis.stats import weighted_proportion_ci
from fivestar_analysis.analysis.survey._frame import codebook, memoized, respondent_frame
from fivestar_analysis.analysis.survey.config import SurveyConfig, load_survey_config, resource_text
from fivestar_analysis.analysis.survey.suppress import suppress_small
from fivestar_analysis.load.privacy import mask_names as _mask_titled_names
from fivestar_analysis.load.privacy import mask_text
from fivestar_analysis.load.vocab import each_distinct
from fivestar_analysis.model.county import County

__all__ = ["segment", "mask_names", "open_answers", "top_terms", "text_themes",
           "theme_examples", "domain_terms", "stop_words"]

_MASK_RE = re.compile(r"\[[^\[\]]*已隐去\]")
_WORD_RE = re.compile(r"[\u4e00-\u9fffA-Za-z]")


@lru_cache(maxsize=1)
def domain_terms() -> tuple[str, ...]:
    """The packaged campaign dictionary (terms that must stay whole)."""
    lines = resource_text("domain_dict.txt").splitlines()
    return tuple(ln.split()[0] for ln in lines if ln.strip() and not ln.startswith("#"))


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """The packaged stop-word list."""
    lines = resource_text("stopwords.txt").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=1)
def _tokenizer():
    """jieba with the campaign dictionary; imported and loaded (from a fast cache, see
    :mod:`~fivestar_analysis.load.jieba_tables`) only when there are answers to segment."""
    from fivestar_analysis.load.jieba_tables import tokenizer

    return tokenizer()


def _pos_tokenizer():
    from fivestar_analysis.load.jieba_tables import pos_tokenizer

    return pos_tokenizer()


def _is_person_name(word: str) -> bool:
    tags = list(_pos_tokenizer().cut(word))
    return len(tags) == 1 and tags[0].flag.startswith("nr")


def mask_names(text: str) -> str:
    """Replace a surname or name followed by a title (王书记, 李建国主任) with a mask.

    A second line of defence for answers that did not come through the loader (which also
    masks the names of the survey's own name column): see
    :func:`fivestar_analysis.load.privacy.mask_names`. Words are not taken for names by how
    they look, so "别光应付检查" stays whole.

    >>> mask_names("找王书记反映过几次")
    '找[姓名已隐去]书记反映过几次'
    """
    return _mask_titled_names(text)


def segment(text: str, *, min_length: int = 1, drop_stop_words: bool = False) -> list[str]:
    """Words of one answer (jieba, precise mode, with the campaign dictionary).

    Masks such as ``[电话已隐去]``, punctuation, digits and (optionally) stop words and
    words shorter than ``min_length`` are dropped.

    >>> segment("壮大村集体经济，整治人居环境")           # doctest: +SKIP
    ['壮大', '村', '集体经济', '，', '整治', '人居环境']
    """
    if not isinstance(text, str) or not text.strip():
        return []
    words = _tokenizer().lcut(_MASK_RE.sub(" ", text))
    stops = stop_words() if drop_stop_words else frozenset()
    return [w for w in (w.strip() for w in words)
            if w and _WORD_RE.search(w) and len(w) >= min_length and w not in stops]


def open_answers(county: County, item: str | None = None) -> pd.DataFrame:
    """Non-empty open answers, masked: ``item, group, answer`` (respondent-level data)."""
    return memoized("open_answers", county, item, lambda: _open_answers(county, item))


def _open_answers(county: County, item: str | None) -> pd.DataFrame:
    cb = codebook(county)
    frame = respondent_frame(county)
    items = cb.loc[cb["role"] == "text", "item"].tolist() if item is None else [item]
    parts = []
    for it in items:
        col = frame[it].astype(object)
        ok = each_distinct(col, lambda v: isinstance(v, str) and bool(v.strip())).astype(bool)
        parts.append(pd.DataFrame({"item": it, "group": frame.loc[ok, "group"].astype(object),
                                   "weight": frame.loc[ok, "weight"],
                                   "answer": each_distinct(col[ok],
                                                            lambda v: mask_text(v.strip()))}))
    if not parts:
        return pd.DataFrame(columns=["item", "group", "weight", "answer"])
    return pd.concat(parts, ignore_index=True)


def top_terms(county: County, config: SurveyConfig | dict | None = None,
              *, item: str | None = None) -> pd.DataFrame:
    """Most frequent terms of the open answers, counted once per answer.

    Returns
    -------
    pandas.DataFrame
        ``item, term, count (answers using the term), n (answers), share, rank``, the
        ``text.top_n`` most used terms per item. Terms used in fewer than k answers and
        words tagged as personal names are left out entirely (they could identify
        someone), so nothing here is suppressed; the ``suppressed`` column is always False.
    """
    cfg = load_survey_config(config)
    answers = open_answers(county, item)
    rows = []
    for it, g in answers.groupby("item", sort=False):
        counts: dict[str, int] = {}
        for a, times in g["answer"].value_counts(sort=False).items():  # each text once
            for w in set(segment(a, min_length=cfg.min_term_length, drop_stop_words=True)):
                counts[w] = counts.get(w, 0) + int(times)
        ranked = sorted(((c, w) for w, c in counts.items() if c >= cfg.k),
                        key=lambda t: (-t[0], t[1]))
        ranked = [t for t in ranked[: cfg.top_n * 3] if not _is_person_name(t[1])][: cfg.top_n]
        for rank, (c, w) in enumerate(ranked, start=1):
            rows.append({"item": it, "term": w, "count": c, "n": len(g), "share": c / len(g),
                         "rank": rank})
    out = pd.DataFrame(rows, columns=["item", "term", "count", "n", "share", "rank"])
    out["suppressed"] = False
    return out


def _theme_hits(answers: pd.Series, cfg: SurveyConfig) -> pd.DataFrame:
    codes, uniques = pd.factorize(answers.to_numpy(dtype=object))
    if (codes < 0).any():
        return pd.DataFrame({t: answers.map(lambda a, kws=kws: sum(kw in a for kw in kws))
                             for t, kws in cfg.themes.items()}, index=answers.index)
    return pd.DataFrame({t: np.array([sum(kw in a for kw in kws) for a in uniques],
                                     dtype=np.int64)[codes]
                         for t, kws in cfg.themes.items()}, index=answers.index)


def text_themes(county: County, config: SurveyConfig | dict | None = None) -> pd.DataFrame:
    """How many open answers touch each theme (share with a Wilson interval).

    Returns
    -------
    pandas.DataFrame
        ``item, theme, n (answers), n_eff, count, share, ci_low, ci_high, suppressed``.
    """
    cfg = load_survey_config(config)
    answers = open_answers(county)
    rows = []
    for it, g in answers.groupby("item", sort=False):
        hits = _theme_hits(g["answer"], cfg)
        for theme in cfg.themes:
            r = weighted_proportion_ci((hits[theme] > 0).to_numpy(float),
                                       g["weight"].to_numpy(dtype="float64", na_value=np.nan),
                                       cfg.confidence)
            rows.append({"item": it, "theme": theme, "n": r["n"], "n_eff": r["n_eff"],
                         "count": r["count"], "share": r["estimate"], "ci_low": r["ci_low"],
                         "ci_high": r["ci_high"]})
    out = pd.DataFrame(rows, columns=["item", "theme", "n", "n_eff", "count", "share",
                                      "ci_low", "ci_high"])
    return suppress_small(out, cfg.k, count_min=cfg.k)


def _diverse(candidates: list[str], cfg: SurveyConfig, max_overlap: float = 0.5,
             words_of: dict[str, set[str]] | None = None) -> list[str]:
    """Up to ``examples_per_theme`` answers, skipping near-repeats of one already taken
    (their content words overlap by more than ``max_overlap`` of the shorter answer's).
    ``words_of`` keeps each text's words across calls (a text is segmented once)."""
    picked: list[str] = []
    seen: list[set[str]] = []
    words_of = {} if words_of is None else words_of
    for a in candidates:
        words = words_of.get(a)
        if words is None:
            words = words_of[a] = set(segment(a, min_length=cfg.min_term_length,
                                              drop_stop_words=True))
        if any(len(words & w) / max(min(len(words), len(w)), 1) > max_overlap for w in seen):
            continue
        picked.append(a)
        seen.append(words)
        if len(picked) == cfg.examples_per_theme:
            break
    return picked


def theme_examples(county: County, config: SurveyConfig | dict | None = None) -> pd.DataFrame:
    """A few masked example answers per theme, for quoting in a report.

    Examples are the answers with the most theme keywords (ties: answers without a mask
    first, then shorter, then alphabetical), skipping near-repeats of an answer already
    taken, at most ``text.examples_per_theme`` per theme. Themes with
    fewer than k answers give no example. Phone and ID numbers and names before a title are
    masked (:func:`~fivestar_analysis.load.privacy.mask_text`); the loader has already
    masked the names of the survey's own name column.

    Returns
    -------
    pandas.DataFrame
        ``item, theme, n (answers in the theme), example_rank, example, suppressed``.
    """
    cfg = load_survey_config(config)
    answers = open_answers(county)
    rows = []
    words_of: dict[str, set[str]] = {}
    for it, g in answers.groupby("item", sort=False):
        hits = _theme_hits(g["answer"], cfg)
        for theme in cfg.themes:
            inside = g.assign(h=hits[theme])[hits[theme] > 0]
            if len(inside) < cfg.k:
                rows.append({"item": it, "theme": theme, "n": len(inside), "example_rank": pd.NA,
                             "example": None})
                continue
            inside = inside.assign(length=inside["answer"].str.len(),
                                   masked=inside["answer"].str.contains("已隐去", regex=False))
            inside = inside.sort_values(["h", "masked", "length", "answer"],
                                        ascending=[False, True, True, True])
            picked = _diverse(inside["answer"].tolist(), cfg, words_of=words_of)
            for rank, text in enumerate(picked, start=1):
                rows.append({"item": it, "theme": theme, "n": len(inside), "example_rank": rank,
                             "example": mask_text(text)})
    out = pd.DataFrame(rows, columns=["item", "theme", "n", "example_rank", "example"])
    out["example_rank"] = out["example_rank"].astype("Int64")
    return suppress_small(out, cfg.k)
