"""Heard: views from people social care services seldom hear, over SMS and Telegram."""

__version__ = "0.1.0"
