"""The benchmark behind `make bench`: overhead, polling, fan-out and footprint, in one table."""
