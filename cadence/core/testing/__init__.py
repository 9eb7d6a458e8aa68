"""Test support shared by every app: environment, factories and fixtures."""
