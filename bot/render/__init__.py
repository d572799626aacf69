"""Channel renderings of the engine's `MessageCreated` events (SMS text, Telegram keyboards)."""
