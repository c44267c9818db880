"""Stores: SPARQL endpoints, loading kg/ into a triple store, and serving it."""
