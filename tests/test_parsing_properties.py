"""Property-based tests of header matching and cell vocabularies (hypothesis)."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from fivestar_analysis.load.ledger import star_header_names
from fivestar_analysis.load.vocab import aliases, match_header, parse_bool, parse_kind, parse_status
from fivestar_analysis.model.rubric import load_rubric

LEDGER_ALIASES = [(name, canonical) for canonical, names in aliases()["ledger"].items()
                  for name in [canonical, *names]]
STATUS_WORDS = [(w, status) for status, words in aliases()["status"].items() for w in words]
UNITS = ["（万元）", "(万元)", "（人）", "(户)", "【个】", "/万元"]
SPACE = st.sampled_from(["", " ", "  ", "\u3000", "\t"])


def to_fullwidth(text: str) -> str:
    """ASCII letters and digits as their full-width forms, as Chinese IMEs type them."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(LEDGER_ALIASES), SPACE, SPACE, st.booleans(),
       st.one_of(st.just(""), st.sampled_from(UNITS)), st.booleans())
def test_ledger_headers_match_after_folding(alias, before, after, wide, unit, upper):
    name, canonical = alias
    header = name.upper() if upper else name
    header = to_fullwidth(header) if wide else header
    header = f"{before}{header}{unit}{after}"
    assert match_header(header, "ledger") == canonical


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(star_header_names(load_rubric()).items())), SPACE, st.booleans())
def test_star_headers_match(pair, space, wide):
    name, canonical = pair
    header = f"{space}{to_fullwidth(name) if wide else name}{space}"
    assert match_header(header, "ledger", extra=star_header_names(load_rubric())) == canonical


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(STATUS_WORDS), SPACE, SPACE, st.booleans())
def test_status_vocabulary_is_width_space_and_case_blind(pair, before, after, wide):
    word, status = pair
    cell = f"{before}{to_fullwidth(word.upper()) if wide else word.upper()}{after}"
    assert parse_status(cell) == status


@given(st.text(alphabet=st.characters(whitelist_categories=("Lo",)), min_size=2, max_size=6))
def test_unknown_status_words_are_refused_not_guessed(text):
    folded = unicodedata.normalize("NFKC", text).strip().lower()
    known = {unicodedata.normalize("NFKC", w).lower() for w, _ in STATUS_WORDS}
    if folded not in known:
        assert parse_status(text) is None


@given(st.sampled_from([1, 1.0, "1", " 1 ", True]))
def test_numeric_awarded_forms(value):
    assert parse_status(value) == "awarded"


@given(st.sampled_from(["0", 0, 0.0, "", None, float("nan"), False]))
def test_blank_and_zero_mean_none(value):
    assert parse_status(value) == "none"


@given(st.sampled_from(["农村", "村", "行政村", " 农 村 ", "Rural"]))
def test_kind_rural(value):
    assert parse_kind(value) == "rural"


@given(st.sampled_from(["社区", "城市社区", "community", "ＣＯＭＭＵＮＩＴＹ"]))
def test_kind_community(value):
    assert parse_kind(value) == "community"


@given(st.sampled_from(["是", "否", "1", "0", "yes", "NO"]))
def test_booleans(value):
    assert parse_bool(value) == (value in ("是", "1", "yes"))


@given(st.text(min_size=1, max_size=8))
def test_unknown_headers_are_not_forced_onto_a_column(text):
    canonical = match_header(text, "ledger")
    if canonical is not None:  # anything matched must be one of the aliases (after folding)
        from fivestar_analysis.load.vocab import normalize_header

        names = {normalize_header(n) for n, c in LEDGER_ALIASES if c == canonical}
        assert any(normalize_header(text).startswith(n) for n in names)
