"""Every table, imported in one place so the metadata is complete (migrations, tests)."""

from callvault.assistants.models import Assistant
from callvault.calls.models import Call
from callvault.campaigns.models import Campaign
from callvault.db.base import Base
from callvault.ingest.models import SyncSource
from callvault.tokens.models import ApiToken
from callvault.users.models import User
from callvault.webhooks.models import WebhookDelivery, WebhookEndpoint

__all__ = [
    "ApiToken",
    "Assistant",
    "Base",
    "Call",
    "Campaign",
    "SyncSource",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
]
