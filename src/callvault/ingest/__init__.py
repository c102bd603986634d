"""Getting calls in: one validation and merge path for webhooks, file import and sync."""
