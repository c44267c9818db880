"""Validate: SHACL validation of the graph, its reports, and the checks of the ontology itself."""

# Kept here, free of imports, for the command line's choices: SHACL's severities, worst first, and
# the thresholds a validation may fail on.
SEVERITIES = ("Violation", "Warning", "Info")
FAIL_ON = tuple(severity.lower() for severity in SEVERITIES)
