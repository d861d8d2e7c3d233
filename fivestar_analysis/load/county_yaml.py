"""``county.yaml`` (and a YAML codebook): plain YAML read safely, every key checked.

No anchors or aliases, no Python tags, a capped size; values shown as written in messages
(``code: yes`` stays ``yes``); targets and survey settings validated with their line numbers.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from fivestar_analysis.errors import catalogue_text
from fivestar_analysis.load.collect import ProblemLog
from fivestar_analysis.load.reading import RawTable
from fivestar_analysis.model.county import Targets
from fivestar_analysis.model.rubric import available_rubrics
from fivestar_analysis.model.survey_design import (
    DESIGN_KEYS,
    PSU_CHOICES,
    STRATA_CHOICES,
    SurveyDesign,
)

__all__ = ["read_county_yaml", "safe_yaml", "read_yaml_codebook"]

YAML_KEYS = ("name", "code", "province", "city", "year", "language", "targets", "rubric",
             "survey")
LEVEL_TARGET_KEYS = {"five_star": 5, "four_star": 4, "three_star": 3, "two_star": 2,
                     "one_star": 1}
#: sub-folders whose files are read too (a ledger split into one file per township)
#: the largest county.yaml / codebook.yaml read (a metadata file is a few hundred bytes)
MAX_YAML_BYTES = {"county": 256 * 1024, "codebook": 4 * 1024 * 1024}


def safe_yaml(text: str, file: str, log: ProblemLog, kind: str = "county") -> tuple[bool, Any]:
    """Parse YAML written by a user: no anchors or aliases (a few hundred bytes of nested
    aliases can expand without bound), no Python tags, a capped size. Problems are logged
    against ``file``; returns (ok, data)."""
    if len(text.encode("utf-8", "ignore")) > MAX_YAML_BYTES[kind]:
        log.add("yaml_too_large", file, None, None, limit=f"{MAX_YAML_BYTES[kind] // 1024} KB")
        return False, None
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                log.add("yaml_alias", file, event.start_mark.line + 1, None)
                return False, None
        return True, yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        log.add("yaml_syntax", file, None if mark is None else mark.line + 1, None,
                reason=_plain(str(getattr(exc, "problem", "") or exc).splitlines()[0]))
        return False, None
    except RecursionError:
        log.add("yaml_syntax", file, None, None, reason="nested too deeply")
        return False, None


def _plain(text: str) -> str:
    return "".join(ch if ch.isprintable() else " " for ch in text)[:200]



def read_yaml_codebook(path: Path, log: ProblemLog) -> RawTable | None:
    """A codebook written as YAML: a list of items, or a mapping item -> fields."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        log.add("yaml_syntax", path.name, None, None, reason="not UTF-8 text")
        return None
    ok, data = safe_yaml(text, path.name, log, kind="codebook")
    if not ok:
        return None
    if isinstance(data, dict):
        data = [{"item": k, **(v or {})} for k, v in data.items()]
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        log.add("yaml_not_mapping", path.name)
        return None
    frame = pd.DataFrame(data).fillna("")
    for c in frame.columns:
        if c == "options":
            frame[c] = frame[c].map(lambda o: ";".join(f"{k}={v}" for k, v in o.items())
                                    if isinstance(o, dict) else str(o))
        else:
            frame[c] = frame[c].map(lambda v: str(v).lower() if isinstance(v, bool) else str(v))
    frame.index = range(2, len(frame) + 2)
    headers = [str(c) for c in frame.columns]
    frame.columns = range(len(headers))
    return RawTable(file=path.name, headers=headers, frame=frame)


# -- county.yaml --------------------------------------------------------------------------

def _key_nodes(text: str) -> tuple[dict[str, int], dict[str, str]]:
    """From one parse of county.yaml: the line (1-based) of each top-level and nested key,
    and the text of each top-level scalar as written (``code: yes`` -> ``yes``)."""
    lines: dict[str, int] = {}
    raw: dict[str, str] = {}
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lines, raw
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            lines[str(k.value)] = k.start_mark.line + 1
            if isinstance(v, yaml.ScalarNode):
                raw[str(k.value)] = str(v.value)
            elif isinstance(v, yaml.MappingNode):
                for k2, _ in v.value:
                    lines[f"{k.value}.{k2.value}"] = k2.start_mark.line + 1
    return lines, raw


def _bad(log: ProblemLog, key: str, line: int | None, found: Any, spec: str | None = None,
         **params: Any) -> None:
    """A county.yaml value of the wrong kind; what it should be and the fix come from
    ``yaml_values`` in resources/messages.yaml (``spec``, default ``key``)."""
    zh = catalogue_text("yaml_values", spec or key, "zh", key=key, **params)
    en = catalogue_text("yaml_values", spec or key, "en", key=key, **params)
    log.add("yaml_bad_value", "county.yaml", line, key, found, what=zh["what"],
            what_en=en["what"], fix_zh=zh["fix"], fix_en=en["fix"])


def read_county_yaml(folder: Path, log: ProblemLog) -> dict[str, Any] | None:
    path = folder / "county.yaml"
    if not path.exists():
        alt = folder / "county.yml"
        path = alt if alt.exists() else path
    if not path.exists():
        log.add("county_yaml_missing", "county.yaml")
        return None
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030", errors="replace")
    ok, data = safe_yaml(text, path.name, log)
    if not ok:
        return None
    if not isinstance(data, dict):
        log.add("yaml_not_mapping", path.name, 1)
        return None
    lines, raw = _key_nodes(text)
    out: dict[str, Any] = {}
    for key in data:
        if key not in YAML_KEYS:
            log.warn("yaml_unknown_key", path.name, lines.get(str(key)), str(key),
                     known=", ".join(YAML_KEYS))
    for key in ("name", "code"):
        if data.get(key) in (None, ""):
            log.add("yaml_missing_key", path.name, None, key, key=key)
    def as_text(key: str) -> str:
        value = data.get(key, "")
        # a bare yes/no/123 is read by YAML as a boolean or number: keep what was written
        return (value if isinstance(value, str) else raw.get(key, str(value))).strip()

    out["name"] = as_text("name")
    code = as_text("code")
    if code and not re.fullmatch(r"[a-z0-9_-]+", code):
        _bad(log, "code", lines.get("code"), code)
    out["code"] = code
    for key in ("province", "city"):
        out[key] = None if data.get(key) is None else str(data[key])
    year = data.get("year")
    if isinstance(year, str) and re.fullmatch(r"\s*\d{4}\s*(年度?)?", year):
        year = int(re.sub(r"\D", "", year))  # year: '2024' or 2024年
    if year is not None and not (isinstance(year, int) and not isinstance(year, bool)
                                 and 1949 <= year <= 2100):
        _bad(log, "year", lines.get("year"), raw.get("year", year))
        year = None
    out["year"] = year
    language = data.get("language", "zh")
    if language not in ("zh", "en"):
        _bad(log, "language", lines.get("language"), raw.get("language", language))
        language = "zh"
    out["language"] = language
    out["targets"] = _targets(data.get("targets"), lines, log)
    rubric_spec = data.get("rubric")
    if isinstance(rubric_spec, str) and rubric_spec not in available_rubrics():
        log.add("rubric_unknown", path.name, lines.get("rubric"), "rubric", rubric_spec,
                known=", ".join(available_rubrics()))
        rubric_spec = None
    out["rubric"] = rubric_spec
    out["survey"] = _survey_options(data.get("survey"), lines, log)
    return out


def _survey_options(spec: Any, lines: dict[str, int], log: ProblemLog) -> dict[str, Any]:
    """``survey:`` in county.yaml: ``missing`` codes for every item, ``min_seconds``, the
    sample ``design``."""
    if spec is None:
        return {}
    if not isinstance(spec, dict):
        _bad(log, "survey", lines.get("survey"), spec)
        return {}
    out: dict[str, Any] = {}
    for key, value in spec.items():
        line = lines.get(f"survey.{key}")
        if key == "missing":
            codes = value if isinstance(value, list) else [value]
            if all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in codes) or (
                    isinstance(value, str) and all(p.strip().lstrip("-").isdigit()
                                                   for p in re.split(r"[;,，；、\s]+", value) if p)):
                out["missing"] = value
            else:
                _bad(log, "survey.missing", line, value)
        elif key == "min_seconds":
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
                out["min_seconds"] = float(value)
            else:
                _bad(log, "survey.min_seconds", line, value)
        elif key == "design":
            design = _design(value, line, log)
            if design is not None:
                out["design"] = design
        else:
            log.warn("yaml_unknown_key", "county.yaml", line, f"survey.{key}",
                     known="missing, min_seconds, design")
    return out


def _design(value: Any, line: int | None, log: ProblemLog) -> SurveyDesign | None:
    """``survey.design``: ``srs``, ``cluster``, or a mapping of psu/strata/weights/fpc."""
    def bad(found: Any, spec: str) -> None:
        _bad(log, "survey.design", line, found, f"survey.design.{spec}")

    if isinstance(value, str) and value.strip().lower() in ("srs", "cluster"):
        return SurveyDesign.from_spec(value.strip().lower())
    if not isinstance(value, dict):
        bad(value, "kind")
        return None
    for key, v in value.items():
        if key not in DESIGN_KEYS:
            log.warn("yaml_unknown_key", "county.yaml", line, f"survey.design.{key}",
                     known=", ".join(DESIGN_KEYS))
        elif key == "psu" and v not in PSU_CHOICES:
            bad(v, "psu")
            return None
        elif key == "strata" and v not in (*STRATA_CHOICES, None):
            bad(v, "strata")
            return None
        elif key == "weights" and not (isinstance(v, str) and v.strip()):
            bad(v, "weights")
            return None
        elif key == "fpc" and not isinstance(v, bool):
            bad(v, "fpc")
            return None
    if value.get("fpc") and value.get("psu", "branch") != "branch":
        bad(value.get("psu"), "fpc_psu")
        return None
    return SurveyDesign.from_spec({k: v for k, v in value.items() if k in DESIGN_KEYS})


def _targets(spec: Any, lines: dict[str, int], log: ProblemLog) -> Targets:
    if spec is None:
        return Targets()
    if not isinstance(spec, dict):
        _bad(log, "targets", lines.get("targets"), spec)
        return Targets()
    share = None
    counts: dict[int, int] = {}
    for key, value in spec.items():
        line = lines.get(f"targets.{key}")
        if key == "share_3plus":
            v = value
            if isinstance(v, str) and v.strip().endswith("%"):
                try:
                    v = float(v.strip()[:-1]) / 100
                except ValueError:
                    v = None
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
                _bad(log, "targets.share_3plus", line, value)
            else:
                share = float(v)
        elif key in LEVEL_TARGET_KEYS:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                _bad(log, f"targets.{key}", line, value, "targets.level", key=key)
            else:
                counts[LEVEL_TARGET_KEYS[key]] = int(value)
        else:
            log.warn("yaml_unknown_key", "county.yaml", line, f"targets.{key}",
                     known="share_3plus, " + ", ".join(LEVEL_TARGET_KEYS))
    return Targets(share_3plus=share, level_counts=counts)


