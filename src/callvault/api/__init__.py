"""The HTTP surface: app factory, dependencies, error handlers."""
