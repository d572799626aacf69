"""The outbox: queued replies sent by one worker, paced per channel and retried, never twice."""
