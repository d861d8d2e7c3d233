"""fivestar-analysis: a research workbench for the Five-Star Branch campaign (“五星”支部创建)."""

from fivestar_analysis._version import __version__
from fivestar_analysis.rubric import Rubric, load_rubric

__all__ = ["__version__", "Rubric", "load_rubric"]
