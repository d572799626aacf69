"""The inbox: inbound messages recorded by webhooks, and the worker that runs one turn each."""
