"""Customer segments: RFM value tiers from orders and behaviour tags from orders, reviews and chats."""
