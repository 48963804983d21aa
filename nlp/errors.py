"""Errors raised by the nlp library (plain ValueError subclasses; nlp does not import huisheng)."""


class EmptyTextError(ValueError):
    """Nothing analysable remains after normalisation (empty, whitespace, emoji or binary junk)."""
