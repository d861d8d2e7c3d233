"""Render: execute the packaged notebooks with papermill, export them with nbconvert and write
every output atomically (single reports, comparisons, batches)."""
