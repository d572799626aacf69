"""The browser simulator: SMS and Telegram conversations without a provider account."""
