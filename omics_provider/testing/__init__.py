"""Test support shipped with the package: the plugin driver (plugin.py) and OmicsMocks (mocks.py)."""
