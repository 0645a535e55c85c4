"""Exporting the latest figures: the format API (``api``) and the rows every format writes (``rows``)."""
