"""Alembic migrations, shipped inside the package and run by ``db.migrate`` on open."""
