"""Huisheng's HTTP API (FastAPI): chat, WeChat, reviews, escalations, customers, dashboards."""
