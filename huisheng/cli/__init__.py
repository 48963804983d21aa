"""The `huisheng` command line."""
