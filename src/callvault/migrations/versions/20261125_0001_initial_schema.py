"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 03:29:40.331914
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "assistants",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("phone_number", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_assistants_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "id", name=op.f("pk_assistants")),
    )
    op.create_table(
        "campaigns",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_campaigns_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "id", name=op.f("pk_campaigns")),
    )
    op.create_table(
        "calls",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("assistant_id", sa.BigInteger(), nullable=True),
        sa.Column("campaign_id", sa.BigInteger(), nullable=True),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("duration", sa.Integer(), nullable=True),
        sa.Column("assistant_phone_number", sa.String(length=64), nullable=True),
        sa.Column("client_phone_number", sa.String(length=64), nullable=True),
        sa.Column("client_phone_digits", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("transcript", sa.Text(), nullable=True),
        sa.Column("variables", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("evaluation", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("webhook_response", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("carrier_cost", sa.Float(), nullable=True),
        sa.Column("total_cost", sa.Float(), nullable=True),
        sa.Column("answered_by", sa.String(length=64), nullable=True),
        sa.Column("recording_url", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('initiated', 'ringing', 'busy', 'in-progress', 'ended', 'completed', 'ended_by_customer', 'ended_by_assistant', 'no-answer', 'failed')",
            name=op.f("ck_calls_status"),
        ),
        sa.CheckConstraint("type IN ('inbound', 'outbound', 'web')", name=op.f("ck_calls_type")),
        sa.ForeignKeyConstraint(
            ["user_id", "assistant_id"],
            ["assistants.user_id", "assistants.id"],
            name=op.f("fk_calls_user_id_assistant_id_assistants"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id", "campaign_id"],
            ["campaigns.user_id", "campaigns.id"],
            name=op.f("fk_calls_user_id_campaign_id_campaigns"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_calls_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "id", name=op.f("pk_calls")),
    )
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.create_index(
            "ix_calls_assistant_newest",
            ["user_id", "assistant_id", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_calls_campaign_newest", ["user_id", "campaign_id", "created_at", "id"], unique=False
        )
        batch_op.create_index("ix_calls_newest", ["user_id", "created_at", "id"], unique=False)
        batch_op.create_index(
            "ix_calls_status_newest", ["user_id", "status", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_calls_type_newest", ["user_id", "type", "created_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_index("ix_calls_type_newest")
        batch_op.drop_index("ix_calls_status_newest")
        batch_op.drop_index("ix_calls_newest")
        batch_op.drop_index("ix_calls_campaign_newest")
        batch_op.drop_index("ix_calls_assistant_newest")

    op.drop_table("calls")
    op.drop_table("campaigns")
    op.drop_table("assistants")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))

    op.drop_table("api_tokens")
    op.drop_table("users")
