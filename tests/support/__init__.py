"""Helpers shared by Heard's tests."""
