"""Evaluation: benchmarks of story judgement, clustering and extraction against labelled data."""
