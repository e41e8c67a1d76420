"""Test support shipped with the package: the dynamic-provider plugin driver."""
