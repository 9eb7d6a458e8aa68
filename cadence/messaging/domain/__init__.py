"""Messaging's rules as pure functions (no database, no request)."""
