"""Campaigns: outbound call batches."""
