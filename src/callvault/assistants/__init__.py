"""Assistants: the AI agents that place and answer calls."""
