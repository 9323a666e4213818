"""Alembic migrations; `review-flow init` runs them (see store.engine.upgrade)."""
