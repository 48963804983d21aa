"""Rasa input channels, loaded by the Rasa server from bot/ (they run in .venv-rasa)."""
