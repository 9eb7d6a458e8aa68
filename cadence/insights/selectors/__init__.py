"""Insights reads: the learners table (from `LearnerStats`), course health, the teacher's home."""
