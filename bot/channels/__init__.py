"""One folder per channel behind one contract (base.py): provider webhooks into `InboundMessage`s,
replies rendered and sent out. registry.py lists the channels."""
