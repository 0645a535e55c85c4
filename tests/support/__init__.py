"""Test support shared by every test module: the local HTTP server and friends."""
