"""Persistence: tables, repositories, the unit of work. The only SQLAlchemy importer."""
