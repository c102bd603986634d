"""Alembic environment: runs online against the URL handed over by ``upgrade_database``."""

from __future__ import annotations

from alembic import context

from callvault.db.database import create_database_engine
from callvault.migrations import comparison_options
from callvault.models import Base

config = context.config
engine = create_database_engine(config.attributes["database_url"], pool_size=1)
try:
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=engine.dialect.name == "sqlite",
            **comparison_options(),
        )
        with context.begin_transaction():
            context.run_migrations()
finally:
    engine.dispose()
