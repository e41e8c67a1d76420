"""Shared test support: a fake clock, emulator-backed fixtures and input builders."""
