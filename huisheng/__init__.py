"""Huisheng's shared layer: settings, errors and the service functions every entry point calls."""

__version__ = "0.1.0"
