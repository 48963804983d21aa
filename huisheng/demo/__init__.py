"""The 回声小店 demo shop: realistic, deterministic seed data for development, demos and docs."""

from huisheng.demo.seed import SeedRefused, seed_demo_data

__all__ = ["SeedRefused", "seed_demo_data"]
