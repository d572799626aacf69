from tests.web.fixtures import brains

__all__ = ["brains"]
