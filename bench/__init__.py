"""Benchmarks of speed, memory and scale: `python -m bench` (make bench) prints one table."""
