"""Recommendations: packaged rules answer the demo's findings, a researcher's rules file
adds or replaces rules, and a broken rules file is refused by name before anything runs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from fivestar_analysis import load_county
from fivestar_analysis.describe.county import describe_county
from fivestar_analysis.describe.recommend import load_rules, recommend
from fivestar_analysis.errors import FivestarError
from fivestar_analysis.model.findings import Finding


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    from fivestar_analysis.tools.demo import write_demo_package

    folder = tmp_path_factory.mktemp("rec") / "county"
    return load_county(write_demo_package(folder, seed=3, n_townships=6, n_villages=60,
                                          n_communities=6, n_respondents=600))


def test_every_serious_finding_gets_a_recommendation_that_points_back(small):
    rep = describe_county(small)
    serious = [i for i, f in enumerate(rep.findings) if f.severity in ("medium", "high")]
    assert serious, "the demo county has weak links"
    answered = {i for r in rep.recommendations for i in r.finding_indices}
    assert set(serious) <= answered
    for r in rep.recommendations:
        assert r.title and r.text and "{{" not in r.text and "{%" not in r.text


def test_the_text_carries_the_findings_numbers(small):
    f = Finding(kind="collective_economy", scope="county", subject="rural", severity="high",
                evidence={"weak": 17, "share_weak": 0.283}, year=small.year)
    (rec,) = [r for r in recommend([f], small) if r.rule_id == "economy_county"]
    assert "17" in rec.text and "28.3%" in rec.text and rec.finding_indices == (0,)
    (en,) = [r for r in recommend([f], small, language="en") if r.rule_id == "economy_county"]
    assert "17" in en.text and "28.3%" in en.text and "集体经济收入低于" not in en.text


def test_low_findings_fire_only_rules_that_ask_for_them(small):
    f = Finding(kind="collective_economy", scope="county", subject="rural", severity="low",
                evidence={"weak": 1, "share_weak": 0.01}, year=small.year)
    assert [r.rule_id for r in recommend([f], small)] == []


def test_a_researchers_rules_come_first_and_replace_by_id(tmp_path, small):
    own = tmp_path / "rules.yaml"
    own.write_text(
        "rules:\n"
        "  - id: economy_county\n"
        "    when: {kind: collective_economy, scope: county}\n"
        "    title: {zh: 本县自定措施, en: Our own measure}\n"
        "    text: {zh: '薄弱村{{ evidence.weak | num }}个，逐村制定方案。', en: 'Plan for {{ evidence.weak | num }} villages.'}\n"
        "  - id: extra_rule\n"
        "    when: {kind: collective_economy}\n"
        "    title: {zh: 另一条, en: Another}\n"
        "    text: {zh: 补充措施。, en: More.}\n", encoding="utf-8")
    rules = load_rules(own)
    ids = [r.id for r in rules]
    assert ids[:2] == ["economy_county", "extra_rule"] and ids.count("economy_county") == 1
    f = Finding(kind="collective_economy", scope="county", subject="rural", severity="high",
                evidence={"weak": 17, "share_weak": 0.283}, year=small.year)
    recs = {r.rule_id: r for r in recommend([f], small, rules=rules)}
    assert recs["economy_county"].text == "薄弱村17个，逐村制定方案。"
    assert "extra_rule" in recs


@pytest.mark.parametrize("content,needle", [
    ("rules: 5\n", "rules.yaml"),
    ("rules:\n  - id: x\n    when: {}\n    title: {zh: a}\n    text: {zh: b, en: c}\n", "rule 1"),
    ("rules: [\n", "not valid YAML"),
])
def test_a_broken_rules_file_is_refused_by_name(tmp_path, content, needle):
    bad = tmp_path / "rules.yaml"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(FivestarError) as info:
        load_rules(bad)
    assert needle in str(info.value)


def test_a_rule_that_cannot_be_filled_names_the_rule(tmp_path, small):
    """A name the rule context does not have is an error naming the rule (a missing piece
    of evidence, by contrast, is shown as a dash by the number filters)."""
    bad = tmp_path / "rules.yaml"
    bad.write_text("rules:\n  - id: needs_more\n    when: {kind: collective_economy}\n"
                   "    title: {zh: t, en: t}\n    text: {zh: '{{ no_such_name }}', en: x}\n",
                   encoding="utf-8")
    f = Finding(kind="collective_economy", scope="county", subject="rural", severity="high",
                evidence={}, year=small.year)
    with pytest.raises(FivestarError) as info:
        recommend([f], small, rules=load_rules(bad))
    assert "needs_more" in str(info.value)


def test_cli_refuses_a_broken_rules_file_before_rendering(tmp_path, small):
    bad = tmp_path / "rules.yaml"
    bad.write_text("rules: 5\n", encoding="utf-8")
    out = tmp_path / "out"
    res = subprocess.run([sys.executable, "-m", "fivestar_analysis.cli", "report",
                          str(small.meta.source), "--out", str(out), "--rules", str(bad)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 2 and "Traceback" not in res.stdout + res.stderr
    assert "rules.yaml" in res.stdout
    assert not list(out.glob("*.html")) if out.exists() else True
