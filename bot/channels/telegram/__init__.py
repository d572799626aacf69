"""Telegram Bot API: everything Heard knows about it lives in this folder."""
