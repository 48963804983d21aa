"""Integration tests start the real bot; the stack itself lives in tests/bot_stack.py, shared with tests/browser.

Without the Rasa env and model these tests skip locally; in CI (CI=true) a missing Rasa is a failure.
"""

from __future__ import annotations

# The integration tests import these names from here.
from tests.bot_stack import MODEL, RASA, RASA_ENV, ROOT, BotStack, require_rasa

__all__ = ["MODEL", "RASA", "RASA_ENV", "ROOT", "BotStack", "require_rasa"]
