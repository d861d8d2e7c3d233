"""Loading a county data package: files → text tables → validated canonical frames.

The pipeline of the whole package reads load → analyse (``stars``, ``survey``) → present
(``report``, ``compare``) → render. This subpackage is the first stage: discovering which
file or sheet holds what (``detect``), reading cells as text (``reading``), matching headers
and words (``vocab``), parsing the ledger, survey and codebook (``ledger``, ``survey_io``),
dropping what identifies a person (``privacy``), and ``load_county`` / ``validate_package``
(``loader``), which collect every problem in one pass.


The three names below are imported on first use, so that the light modules of this stage
(``files``: which files a package has and their hashes) can be used without pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from fivestar_analysis.load.loader import ValidationReport, load_county, validate_package

__all__ = ["load_county", "validate_package", "ValidationReport"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        value = getattr(importlib.import_module(f"{__name__}.loader"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
