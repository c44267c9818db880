"""The graph on the web: a static site of pages and RDF documents, and the linked-data server."""
