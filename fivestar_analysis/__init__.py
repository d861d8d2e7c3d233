"""fivestar-analysis: a research workbench for the Five-Star Branch campaign (“五星”支部创建).

The package is a pipeline, one sub-package per stage; each stage reads only the ones before it:

``model``     the typed objects everything passes around (County, Rubric, Finding, settings)
``load``      reading and validating a county data package into a :class:`County`
``analysis``  tidy tables: ``stars``, ``survey``, the shared ``stats`` and county comparison
``describe``  every figure a report shows, computed once (CountyReport, CountyComparison,
              recommendations)
``present``   wording, number formats, charts, HTML sections (labels and text in ``resources``)
``render``    papermill runs of the packaged notebooks, batches
``tools``     the demo county, the simulated province, the blank template

The front door is importable from here: ``load_county(path)``, ``describe_county(county)``,
``check_published_counts(county)``, ``load_counties(paths)``, ``describe_comparison(...)``,
and the analysis sub-packages as ``fivestar_analysis.stars``, ``.survey`` and ``.charts``.
Names are imported on first use, so ``import fivestar_analysis`` (and the CLI's start-up) stays
light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from fivestar_analysis._version import __version__
from fivestar_analysis.errors import DataProblem, FivestarError, PackageInvalid

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    # ruff: the names are public through __getattr__ and __all__
    from fivestar_analysis.analysis.comparison import load_counties  # noqa: F401
    from fivestar_analysis.analysis.stars.consistency import (  # noqa: F401
        PublishedCheck,
        check_published_counts,
    )
    from fivestar_analysis.describe.comparison import CountyComparison, describe_comparison  # noqa: F401
    from fivestar_analysis.describe.county import CountyReport, describe_county  # noqa: F401
    from fivestar_analysis.load.loader import ValidationReport, load_county, validate_package  # noqa: F401
    from fivestar_analysis.model.county import County, CountyMeta, Targets  # noqa: F401
    from fivestar_analysis.model.findings import Finding, findings_frame  # noqa: F401
    from fivestar_analysis.model.rubric import Rubric, load_rubric  # noqa: F401


# public name -> the module that defines it
_NAMES = {
    "County": "model.county", "CountyMeta": "model.county", "Targets": "model.county",
    "Finding": "model.findings", "findings_frame": "model.findings", "Rubric": "model.rubric", "load_rubric": "model.rubric",
    "load_county": "load.loader", "validate_package": "load.loader",
    "ValidationReport": "load.loader",
    "check_published_counts": "analysis.stars.consistency",
    "PublishedCheck": "analysis.stars.consistency",
    "load_counties": "analysis.comparison",
    "describe_county": "describe.county", "CountyReport": "describe.county",
    "describe_comparison": "describe.comparison", "CountyComparison": "describe.comparison",
}
# short sub-package names researchers use in notebooks: ``from fivestar_analysis import stars``
_MODULES = {"stars": "analysis.stars", "survey": "analysis.survey", "charts": "present.charts",
            "stats": "analysis.stats"}

__all__ = ["__version__", "DataProblem", "FivestarError", "PackageInvalid", *_NAMES, *_MODULES]


def __getattr__(name: str) -> Any:
    if name in _NAMES:
        value = getattr(importlib.import_module(f"{__name__}.{_NAMES[name]}"), name)
    elif name in _MODULES:
        value = importlib.import_module(f"{__name__}.{_MODULES[name]}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
