"""Circular Valley Matchmaker: offer↔need matching for a regional circular economy."""

__version__ = "0.1.0"
