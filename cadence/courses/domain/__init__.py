"""Courses' rules as pure functions (no database, no request): deadlines in each learner's own time."""
