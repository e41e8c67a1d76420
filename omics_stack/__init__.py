"""The stack program's support: its configuration schema (and the delivery commands)."""
