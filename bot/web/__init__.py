"""Heard's HTTP edge: provider webhooks and the browser simulator. Wiring only."""
