"""Outbound delivery policy: rate limits and retry timing, shared by every channel."""
