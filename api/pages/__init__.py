"""HTML pages and the files they load, beside the JSON routes in api/routes and calling the same services."""

from __future__ import annotations

from pathlib import Path

API_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = API_DIR / "templates"
STATIC_DIR = API_DIR / "static"
