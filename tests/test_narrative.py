"""The narrative: facts read from the computed report (never recounted differently), filled
into the zh/en templates with numbers formatted one way."""

from __future__ import annotations

import pytest
from conftest import make_package

from fivestar_analysis import load_county
from fivestar_analysis.describe.county import describe_county
from fivestar_analysis.model import formats as fm
from fivestar_analysis.present import narrative as nv


@pytest.fixture(scope="module")
def rep(tmp_path_factory):
    county = load_county(make_package(tmp_path_factory.mktemp("nv") / "pkg"))
    return describe_county(county)


def test_format_p_and_levels():
    assert fm.format_p(0.0004) == "<0.001" and fm.format_p(0.04321) == "0.043"
    assert fm.format_p(None) == "—" and fm.format_p(float("nan")) == "—"
    assert fm.format_pv(0.0004) == "p<0.001" and fm.format_pv(0.5) == "p=0.500"
    assert fm.format_level(3) == "三星" and fm.format_level(12) == "12星"
    assert fm.format_level(0, "en") == "no star" and fm.format_level(1, "en") == "1 star"
    assert fm.format_level(3, "en") == "3 stars"


def test_years_and_counts_format_differently():
    # a year is never printed with a thousands separator, a count always is
    assert fm.format_year(2022) == "2022" and fm.format_year(2022.0) == "2022"
    assert fm.format_int(12345) == "12,345" and fm.format_num(2.5, 1) == "2.5"
    assert fm.format_pct(0.4123) == "41.2%" and fm.format_pp(0.032) == "+3.2"
    assert fm.format_signed(-3) == "-3" and fm.format_signed(2) == "+2"


def test_basic_facts_agree_with_the_report_tables(rep):
    f = nv.facts_basic(rep)
    # the small package: 2024 has V1 (5 stars), V2 (3), V3 (1) and C1 (4)
    assert (f["n_branches"], f["n_rural"], f["n_community"], f["n_townships"]) == (4, 3, 1, 3)
    assert {k: v for k, v in f["levels"].items() if v} == {1: 1, 3: 1, 4: 1, 5: 1}
    assert f["count_3plus"] == sum(v for k, v in f["levels"].items() if k >= 3) == 3
    assert f["share_3plus"] == pytest.approx(0.75)
    assert f["previous_year"] == 2023 and f["mean_level"] == pytest.approx(3.25)


@pytest.mark.parametrize("lang,words", [("zh", ["4个参加创建的党支部", "75.0%", "n=4"]),
                                        ("en", ["75.0%"])])
def test_basic_text_carries_the_numbers(rep, lang, words):
    from fivestar_analysis.present.display import markdown_html

    text = markdown_html(nv.render_section("basic", lang, **nv.facts_basic(rep)))
    for w in words:
        assert w in text, (w, text)
    assert "{{" not in text and "None" not in text


def test_values_cannot_become_markdown(rep):
    facts = nv.facts_basic(rep) | {"county": "**粗体县** [链接](http://x)"}
    from fivestar_analysis.present.display import markdown_html

    html = markdown_html(nv.render_section("basic", "zh", **facts))
    assert "<strong>" not in html and "<a " not in html and "**粗体县**" in html


def test_level_sentence_follows_the_rubrics_top_level(rep):
    # a rubric with six levels: the sentence starts at 六星, no level is dropped or invented
    facts = {**nv.facts_basic(rep), "max_level": 6, "levels": {6: 2, 5: 1, 0: 4}}
    zh = nv.render_section("basic", "zh", rubric=rep.county.rubric, **facts)
    assert "评定六星支部2个、五星1个、四星0个" in zh and "尚未获星的4个" in zh
    en = nv.render_section("basic", "en", rubric=rep.county.rubric, **facts)
    assert "2 branches at 6 stars, 1 at 5 stars" in en and "0 at 1 star;" in en
