"""Calls: the call log itself."""
