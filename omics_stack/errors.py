"""The one error the delivery commands show a user: a single line, then a non-zero exit."""

from __future__ import annotations


class CommandError(Exception):
    """A failure the user can fix; its message is one complete line naming what and how."""
