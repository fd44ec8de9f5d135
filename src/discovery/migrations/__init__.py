"""Alembic migrations of the ``migration`` schema (run with ``discovery db``)."""
