"""Present: wording, number formats, charts and HTML sections over the described reports.

Every sentence comes from ``resources/`` (labels, messages, templates) in Chinese or English;
every cell passes the one escaping rule of :mod:`.escape` on its way out.
"""
