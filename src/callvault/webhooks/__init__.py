"""Signed post-call webhooks: per-user endpoints, their secrets and delivery log."""
