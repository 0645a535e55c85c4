"""Sources: the source-type API plugins implement and the shared HTTP client."""
