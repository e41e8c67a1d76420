"""Test support shipped with the package: the gRPC plugin driver and OmicsMocks for set_mocks."""
