"""Assessment writes, one module per area: `bank` (questions, GIFT import), `quizzes` (settings, attempts)."""
