"""Recommendations: rules (packaged YAML, plus a researcher's own file) matched to findings.

A rule names the findings it answers (``when``: kind, scope, subject, severity) and a text
template filled from the finding's evidence, so every recommendation carries the numbers
and the places of the finding that raised it, and points back to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, Field

from fivestar_analysis.errors import FivestarError
from fivestar_analysis.model.county import County
from fivestar_analysis.model.findings import Finding
from fivestar_analysis.model.formats import format_num, format_pct
from fivestar_analysis.model.labels import label

__all__ = ["Rule", "Recommendation", "load_rules", "recommend"]


class Localized(BaseModel):
    zh: str
    en: str


class When(BaseModel):
    kind: list[str] | str | None = None
    scope: list[str] | str | None = None
    subject: list[str] | str | None = None
    severity: list[str] | str | None = None
    #: a factor that must also be a driver of the level (``driver`` finding, see
    #: ``analysis.drivers``): the rule then adds what the branch models say about it
    driver: str | None = None

    def matches(self, f: Finding) -> bool:
        def ok(allowed: list[str] | str | None, value: str, default: list[str] | None = None) -> bool:
            allowed = default if allowed is None else allowed
            if allowed is None:
                return True
            return value in ([allowed] if isinstance(allowed, str) else allowed)

        return (ok(self.kind, f.kind) and ok(self.scope, f.scope) and ok(self.subject, f.subject)
                and ok(self.severity, f.severity, ["medium", "high"]))


class Rule(BaseModel):
    id: str
    when: When
    area: str = "general"
    title: Localized
    text: Localized
    measures: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class Recommendation:
    rule_id: str
    #: positions in the findings list (the report numbers them F1, F2, …) that raised it
    finding_indices: tuple[int, ...]
    area: str
    title: str
    text: str
    measures: list[str] = field(default_factory=list)
    severity: str = "medium"


def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
    env.filters["pct"] = format_pct
    env.filters["num"] = format_num
    env.filters["wan"] = lambda x: f"{format_num(x, 1)}万元"
    return env


def _parse(data: Any, source: str) -> list[Rule]:
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise FivestarError(f"{source}: a rules file needs a top-level `rules:` list")
    rules = []
    for i, entry in enumerate(data["rules"], 1):
        try:
            rules.append(Rule.model_validate(entry))
        except Exception as exc:  # pydantic's message names the field
            raise FivestarError(f"{source}: rule {i} is not valid: {exc}") from None
    return rules


def load_rules(extra: str | Path | None = None) -> list[Rule]:
    """The packaged rules, with a researcher's rules file (same shape) put first.

    A user rule with the id of a packaged rule replaces it.
    """
    path = resources.files("fivestar_analysis") / "resources" / "recommendations.yaml"
    packaged = _parse(yaml.safe_load(path.read_text(encoding="utf-8")), "recommendations.yaml")
    if extra is None:
        return packaged
    extra = Path(extra)
    if not extra.is_file():
        raise FivestarError(f"rules file not found: {extra}")
    try:
        own = _parse(yaml.safe_load(extra.read_text(encoding="utf-8")), extra.name)
    except yaml.YAMLError as exc:
        raise FivestarError(f"{extra.name}: not valid YAML: {exc}") from None
    ids = {r.id for r in own}
    return own + [r for r in packaged if r.id not in ids]


_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")


def _tidy(text: str, language: str) -> str:
    """Collapse the line breaks of folded YAML; Chinese takes no spaces beside its characters."""
    text = " ".join(text.split())
    return text if language == "en" else _SPACE_NEAR_CJK.sub("", text)


def _subject_label(f: Finding, county: County, language: str) -> str:
    if f.kind == "low_awareness":
        return label(f.subject, language)
    return label(f.subject, language, county.rubric)


def _branch_names(f: Finding, county: County, limit: int = 8) -> str:
    ids = f.evidence.get("branches") or []
    if not ids:
        return ""
    names = county.branches_in(f.year).set_index("branch_id")["branch_name"]
    shown = [str(names.get(i, i)) for i in ids[:limit]]
    more = len(ids) - len(shown)
    return "、".join(shown) + (f"等{len(ids)}个" if more > 0 else "")


def recommend(findings: list[Finding], county: County, *, language: str = "zh",
              rules: list[Rule] | None = None,
              drivers: list[Finding] | None = None) -> list[Recommendation]:
    """Recommendations for the findings, in the findings' order (most severe first).

    A rule with ``when.driver`` fires only when that factor is among ``drivers`` (the
    ``driver`` findings of the branch models); its text can use ``driver`` (the odds
    ratio, interval and unit).

    When one rule answers several findings about the same subject (the industry star is
    both the lowest and the bottleneck star, say), it is given once, with the evidence of
    all of them and pointing back to each.
    """
    rules = load_rules() if rules is None else rules
    env = _environment()
    lang = "en" if language == "en" else "zh"
    groups: dict[tuple[str, str, str], list[int]] = {}
    driving = {d.subject: d for d in drivers or []}
    for index, f in enumerate(findings):
        for rule in rules:
            if rule.when.matches(f) and (rule.when.driver is None
                                         or rule.when.driver in driving):
                groups.setdefault((rule.id, f.scope, f.subject), []).append(index)
    by_id = {r.id: r for r in rules}
    out: list[Recommendation] = []
    for (rule_id, _, _), indices in groups.items():
        rule = by_id[rule_id]
        f = findings[indices[0]]
        evidence: dict[str, Any] = {}
        for i in reversed(indices):  # the first (most severe) finding wins on conflicts
            evidence.update(findings[i].evidence)
        context = {
            "evidence": evidence, "subject": f.subject,
            "subject_label": _subject_label(f, county, lang), "year": f.year or county.year,
            "county": county.meta.name, "p_value": f.p_value, "statistic": f.statistic,
            "branch_names": _branch_names(f, county),
            "weak_below": county.rubric.weak_village_below_wan,
            "kind_note": "城市社区支部的" if evidence.get("branch_kind") == "community" else "",
            "kind_note_en": "In community branches, " if evidence.get("branch_kind") == "community" else "",
            "driver": driving[rule.when.driver].evidence if rule.when.driver else {},
        }
        try:
            title = env.from_string(getattr(rule.title, lang)).render(context)
            text = env.from_string(getattr(rule.text, lang)).render(context)
        except Exception as exc:
            raise FivestarError(f"recommendation rule {rule.id!r} cannot be filled from finding "
                                f"{f.kind}/{f.subject}: {exc}") from None
        out.append(Recommendation(rule.id, tuple(indices), rule.area, _tidy(title, lang),
                                  _tidy(text, lang), list(rule.measures), f.severity))
    return out
