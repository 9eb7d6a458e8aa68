"""Assessment pages. Import views from their modules: `bank` (the question bank), `quiz` (quizzes and attempts)."""
