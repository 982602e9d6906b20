"""Tests of ganbench.search."""
