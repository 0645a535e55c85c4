"""The domain: indicators, observations, periods and status arithmetic (no I/O)."""
