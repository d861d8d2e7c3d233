"""Loading a county data package: files → text tables → validated canonical frames.

The pipeline of the whole package reads load → analyse (``stars``, ``survey``) → present
(``report``, ``compare``) → render. This subpackage is the first stage: discovering which
file or sheet holds what (``detect``), reading cells as text (``reading``), matching headers
and words (``vocab``), parsing the ledger, survey and codebook (``ledger``, ``survey_io``),
dropping what identifies a person (``privacy``), and ``load_county`` / ``validate_package``
(``loader``), which collect every problem in one pass.
"""

from fivestar_analysis.load.loader import ValidationReport, load_county, validate_package

__all__ = ["load_county", "validate_package", "ValidationReport"]
