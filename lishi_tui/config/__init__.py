"""Configuration: locating, parsing and validating TOML into typed objects."""
