"""Describe: every figure a report shows, computed once into a typed result.

:func:`~.county.describe_county` gives a :class:`~.county.CountyReport`,
:func:`~.comparison.describe_comparison` a :class:`~.comparison.CountyComparison`, and
:mod:`.recommend` turns findings into measures. Presenters (HTML, workbook, Word) only format
and arrange these results, so they cannot disagree.
"""
