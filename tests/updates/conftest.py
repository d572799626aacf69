from tests.support.fixtures import network_guard, ptb_durations_as_timedelta

__all__ = ["network_guard", "ptb_durations_as_timedelta"]
