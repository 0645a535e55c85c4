"""Benchmarks of lishi-tui beside its peers: see bench/README.md."""
