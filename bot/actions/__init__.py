"""Rasa custom actions for Huisheng; they call huisheng.services only, never the database directly."""
