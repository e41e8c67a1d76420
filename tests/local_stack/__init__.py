"""Tests of `make up` / `make down` (scripts/local_stack.py) and of the Pulumi CLI contract."""
