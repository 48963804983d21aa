"""Custom Rasa pipeline components; loaded by the Rasa server (.venv-rasa), never by the product."""
