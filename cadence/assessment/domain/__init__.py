"""Assessment's rules as pure functions: no database, no request, only values in and values out.

- `definitions`: what a question is (types, options, scoring settings), stored as JSON on questions;
- `scoring`: how an answer to a question earns credit (each type's grader) and reading numbers;
- `scores`: points, percents, quiz grades by grading method, means, letters: the one arithmetic of grades;
- `gradebook`: a learner's gradebook row (categories, dropped grades, weighted total, letter);
- `availability`: when a quiz is open, how long an attempt lasts, how many attempts are left;
- `checks`: what a well-formed question needs (refusals with a reason);
- `gift`: reading and writing Moodle's GIFT format;
- `rubric_text`: a rubric written as plain text, read into criteria and levels;
- `question_views`: a question as a learner may see it (shown order, never the key), and their answer read back;
- `item_analysis`: classical item statistics (facility, discrimination, option counts, likely miskeys).

Selectors load rows and feed them here; services apply the results in a transaction.
"""
