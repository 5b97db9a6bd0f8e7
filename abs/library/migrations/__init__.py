"""Alembic migrations of the deal library, shipped inside the package (run by ``abs.library``)."""
