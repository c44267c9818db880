"""Query: the canned-query catalogue, the embedded store, result formats and export of kg/."""
