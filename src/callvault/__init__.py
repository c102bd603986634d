"""callvault: a self-hosted call log for AI voice assistants."""

__version__ = "0.1.0"
