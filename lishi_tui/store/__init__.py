"""History storage: the Store interface and its backends."""
