"""Scoring any generator or sample set (``ganbench eval``): inputs, references, metrics."""
