"""Paper statements, one module per topic; each exposes ``CLAIMS`` (and optionally ``REPORTS``)."""
