"""The typed objects every stage passes around: :class:`~.county.County` (a loaded package),
:class:`~.rubric.Rubric` (the star rules), :class:`~.findings.Finding` and the settings models
(:mod:`.settings`). Nothing here reads a user's files or computes a table."""
