"""Analysis: tidy tables from a loaded :class:`~fivestar_analysis.model.county.County`.

``stars`` (the branch ledger), ``survey`` (the questionnaire), ``stats`` (each statistic
implemented once) and ``comparison`` (counties side by side). Nothing here formats text.
"""
