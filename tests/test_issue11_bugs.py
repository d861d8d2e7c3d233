"""Bugs named in the redesign issue, each with a test that failed before its fix."""

from __future__ import annotations

import pytest
from conftest import CODEBOOK_HEADERS, SURVEY_HEADERS, codebook_rows, make_package, survey_rows

from fivestar_analysis import load_county


def test_documented_respondent_aliases_are_not_taken_for_names(tmp_path):
    """受访者编号 / 受访者身份 are aliases of respondent_id / group; the privacy rule for
    “受访者” must not drop them as identifying columns."""
    headers = ["受访者编号", "支部编码", "受访者身份", *SURVEY_HEADERS[3:]]
    county = load_county(make_package(tmp_path / "p", survey_data=(headers, survey_rows()),
                                      codebook_data=(CODEBOOK_HEADERS, codebook_rows())))
    assert len(county.survey) == 24
    assert set(county.survey["group"].astype(str)) == {"resident", "member", "cadre"}
    assert "受访者编号" not in county.removed_identifying_columns


def test_county_yml_is_fingerprinted(tmp_path):
    """A package using county.yml: editing it must change the report's fingerprint."""
    folder = make_package(tmp_path / "p", survey=False)
    (folder / "county.yaml").rename(folder / "county.yml")
    first = load_county(folder).meta.files
    assert "county.yml" in first
    (folder / "county.yml").write_text(
        (folder / "county.yml").read_text(encoding="utf-8") + "year: 2023\n", encoding="utf-8")
    assert load_county(folder).meta.files["county.yml"] != first["county.yml"]


def test_a_plan_too_large_to_solve_is_not_reported_as_no_pairs(tmp_path, monkeypatch):
    from fivestar_analysis.analysis.stars.mentoring import MentoringTooLarge
    from fivestar_analysis.describe import county as describe_mod
    from fivestar_analysis.present.sections import measures_html

    county = load_county(make_package(tmp_path / "p", survey=False))

    def too_large(*args, **kwargs):
        raise MentoringTooLarge("too many cells")

    monkeypatch.setattr(describe_mod.st, "mentoring_plan", too_large)
    rep = describe_mod.describe_county(county)
    assert rep.mentoring_within == "too_large"
    html = measures_html(rep)
    assert "没有可以结对的支部" not in html and "无法求解" in html


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_measures_section_renders_in_both_languages(tmp_path, lang):
    from fivestar_analysis.describe.county import describe_county
    from fivestar_analysis.present.sections import measures_html

    county = load_county(make_package(tmp_path / "p", survey=False))
    html = measures_html(describe_county(county, language=lang))
    assert ("帮带结对方案" in html) == (lang == "zh")
