"""Enrichment stages: facts derived from an article's text (dates, entities)."""
