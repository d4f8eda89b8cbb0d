"""Persistence of the api cache: dehydrate, SQLite storage, store wiring (private)."""
