"""Fictional bureau portals that behave like real ones: used by tests, the demo and benchmarks only."""
