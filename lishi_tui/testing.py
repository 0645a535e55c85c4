"""Helpers for plugin authors (pytest plugin); filled in by the foundation work."""
