"""The reports as Word documents: a second presenter over the same computed report.

:func:`write_report_docx` writes the county report from a
:class:`~fivestar_analysis.describe.county.CountyReport`, :func:`write_comparison_docx` the
comparison report from a :class:`~fivestar_analysis.describe.comparison.CountyComparison`.
Sections are Word headings (so the navigation pane and the contents field work), tables are
Word tables, charts are pictures at print resolution, in the house style of
``resources/report/docx/{zh,en}.yaml``.
"""

from fivestar_analysis.present.docx.comparison import write_comparison_docx
from fivestar_analysis.present.docx.county import write_report_docx
from fivestar_analysis.present.docx.style import DocxStyle, docx_style

__all__ = ["DocxStyle", "docx_style", "write_comparison_docx", "write_report_docx"]
