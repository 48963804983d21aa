"""Service functions shared by the API, the bot's actions, the CLI and workers: session first, then keywords."""
