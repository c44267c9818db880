"""Validate: SHACL validation of the graph, its reports, and the checks of the ontology itself."""
