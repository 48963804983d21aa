"""Huisheng's customer store: typed SQLAlchemy 2 models, sessions and Alembic migrations."""
