"""Build: mapping seeds to RDF, per-article work in worker processes, the build cache, publishing kg/."""
