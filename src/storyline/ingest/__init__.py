"""Ingest: readers that turn files into raw records."""
