"""Seeds: reading and checking the curated input (entities, articles, annotations) against the text."""
