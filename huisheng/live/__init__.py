"""Live delivery: events pushed to connected channels, across API processes when Redis is configured."""
