"""How the survey was sampled: the design that the survey estimates respect.

``county.yaml`` may describe it under ``survey: {design: ...}``; without it the design is
the usual one of a county survey: respondents sampled branch by branch, so the branch is
the primary sampling unit (PSU). ``design: srs`` treats respondents as a simple random
sample (the figures of versions before the design was introduced).

Only the specification lives here (the model knows no statistics); the estimators are in
:mod:`fivestar_analysis.analysis.survey.design`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["SurveyDesign", "DESIGN_KEYS", "PSU_CHOICES", "STRATA_CHOICES"]

#: keys of ``survey.design`` in county.yaml
DESIGN_KEYS = ("psu", "strata", "weights", "fpc")
#: what the PSU may be: the respondent's branch, or none (each respondent its own unit)
PSU_CHOICES = ("branch", "none")
#: what may form strata
STRATA_CHOICES = ("township", "none")


@dataclass(frozen=True)
class SurveyDesign:
    """The sample design of a county survey.

    Attributes
    ----------
    kind
        ``cluster`` (design-based: Taylor linearisation over PSUs) or ``srs`` (respondents
        as a simple random sample, Kish's effective n for weights: the old figures).
    psu
        ``branch`` (default) or ``none``.
    strata
        ``township`` or None.
    weights
        Survey column holding weights (``weight`` by default; used when present).
    fpc
        Finite population correction at the first stage: sampled branches over the
        ledger's branches of the report year (within each stratum). Needs ``psu: branch``.
    """

    kind: str = "cluster"
    psu: str = "branch"
    strata: str | None = None
    weights: str = "weight"
    fpc: bool = False

    @property
    def is_srs(self) -> bool:
        return self.kind == "srs"

    @property
    def key(self) -> str:
        """A short machine name: ``srs`` or e.g. ``psu=branch;strata=township;fpc``."""
        if self.is_srs:
            return "srs"
        parts = [f"psu={self.psu}"]
        if self.strata:
            parts.append(f"strata={self.strata}")
        if self.weights != "weight":
            parts.append(f"weights={self.weights}")
        if self.fpc:
            parts.append("fpc")
        return ";".join(parts)

    @classmethod
    def srs(cls) -> SurveyDesign:
        return cls(kind="srs", psu="none")

    @classmethod
    def from_spec(cls, spec: Any) -> SurveyDesign:
        """From the (already validated) ``survey.design`` value of county.yaml.

        >>> SurveyDesign.from_spec("srs").is_srs
        True
        >>> SurveyDesign.from_spec({"strata": "township"}).key
        'psu=branch;strata=township'
        """
        if spec is None or spec == "cluster":
            return cls()
        if spec == "srs":
            return cls.srs()
        spec = dict(spec)
        strata = spec.get("strata")
        return cls(kind="cluster", psu=str(spec.get("psu") or "branch"),
                   strata=None if strata in (None, "none") else str(strata),
                   weights=str(spec.get("weights") or "weight"),
                   fpc=bool(spec.get("fpc", False)))
