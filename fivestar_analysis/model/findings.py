"""Typed findings: the weak links an analysis discovers, with the evidence behind them.

Star analysis and survey analysis both return :class:`Finding` objects; the report's
"存在问题" section and the recommendation rules read them. ``kind`` names the finding
(e.g. ``lowest_star``, ``bottleneck_star``, ``lagging_township``, ``collective_economy``,
``weak_lax``, ``low_awareness``); recommendation rules match on ``kind`` and ``severity``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from fivestar_analysis.errors import InvalidArgument

__all__ = ["Finding", "SEVERITIES", "findings_frame"]

SEVERITIES = ("low", "medium", "high")


@dataclass(frozen=True)
class Finding:
    kind: str
    scope: str  # "county", "township" or "branch"
    subject: str  # what it is about: a star key, a township name, a branch id, a group …
    severity: str  # one of SEVERITIES
    evidence: dict[str, Any] = field(default_factory=dict)  # the numbers behind it
    statistic: float | None = None
    p_value: float | None = None
    test: str | None = None  # e.g. "Fisher exact, Holm-corrected"
    year: int | None = None

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise InvalidArgument(f"severity must be one of {SEVERITIES}, not {self.severity!r}")
        if self.scope not in ("county", "township", "branch"):
            raise InvalidArgument(f"scope must be county, township or branch, not {self.scope!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    """Findings as a tidy table (evidence kept as a dict column), most severe first."""
    cols = ["kind", "scope", "subject", "severity", "evidence", "statistic", "p_value", "test", "year"]
    if not findings:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame([f.to_dict() for f in findings], columns=cols)
    order = {s: i for i, s in enumerate(reversed(SEVERITIES))}
    return df.sort_values("severity", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
