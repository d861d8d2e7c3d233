"""fivestar-analysis: a research workbench for the Five-Star Branch campaign (“五星”支部创建).

The front door: ``load_county(path)`` reads and validates a county data package into a
:class:`County`; the analysis subpackages read that bundle.
"""

from fivestar_analysis._version import __version__
from fivestar_analysis.county import County, CountyMeta, Targets
from fivestar_analysis.errors import DataProblem, FivestarError, PackageInvalid
from fivestar_analysis.findings import Finding
from fivestar_analysis.load.loader import ValidationReport, load_county, validate_package
from fivestar_analysis.rubric import Rubric, load_rubric
from fivestar_analysis.stars.consistency import PublishedCheck, check_published_counts

__all__ = [
    "__version__",
    "County",
    "CountyMeta",
    "Targets",
    "DataProblem",
    "FivestarError",
    "PackageInvalid",
    "Finding",
    "Rubric",
    "load_rubric",
    "load_county",
    "validate_package",
    "ValidationReport",
    "check_published_counts",
    "PublishedCheck",
]
