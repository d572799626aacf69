from tests.web.fixtures import brains, network_guard, ptb_durations_as_timedelta

__all__ = ["brains", "network_guard", "ptb_durations_as_timedelta"]
