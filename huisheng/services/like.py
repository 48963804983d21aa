"""SQL LIKE patterns for what a person typed: their %, _ and \\ are matched literally (use escape="\\")."""

from __future__ import annotations

ESCAPE = "\\"


def like_pattern(needle: str) -> str:
    """`needle` anywhere, with LIKE's own wildcards in it matched literally."""
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def prefix_pattern(needle: str) -> str:
    """Values that start with `needle`, wildcards matched literally (order numbers are typed from the start)."""
    return like_pattern(needle)[1:]
