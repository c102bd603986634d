"""Faithful re-implementations of the PHP and Laravel behaviours the calls contract depends on.

Nothing here imports the rest of callvault: these are pure functions over plain values.
"""
