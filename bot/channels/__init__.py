"""Channel adapters: turn provider webhooks into `InboundMessage`s and send replies out."""
