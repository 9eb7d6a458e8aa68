"""Insights pages: the learners table and risk settings, course health, the teacher's home."""
