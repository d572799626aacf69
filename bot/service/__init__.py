"""The host around the pure engine: understanding, storing, logging. All I/O of a turn is here."""
