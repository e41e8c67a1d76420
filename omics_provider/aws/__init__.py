"""AWS: client construction, calls retried within their window, error translation."""
