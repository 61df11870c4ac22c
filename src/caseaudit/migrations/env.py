"""Alembic environment: runs on the connection ``db.migrate`` hands over, inside its transaction.

Migrations are never run against a URL of their own; ``db.migrate`` opens the transaction,
checks the database is not newer than the program, and passes the connection in
``config.attributes["connection"]`` so the whole upgrade commits or rolls back as one.
"""

from __future__ import annotations

from alembic import context

from caseaudit.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("caseaudit migrations run only through caseaudit.db.migrate()")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    transactional_ddl=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
