"""Timing, progress lines, the service model, validation and errors: primitives of every layer."""
