"""Extraction: raw records → clean articles (text dumps, HTML pages, structured records)."""
