"""The conversation engine: pure `(session, input) -> (session, events)`."""
