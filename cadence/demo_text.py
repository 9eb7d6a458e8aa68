"""What the demo's learners hand in and what their teacher writes back: a few versions of each, chosen by the
learner's number, so neighbouring submissions read differently and every comment fits the grade it comes with."""

from __future__ import annotations

SUBMISSIONS: dict[str, tuple[str, ...]] = {
    "Describe a data set": (
        "One observation is one city in one month. The variables are city (a category), year and month (a time) "
        "and rainfall in mm (a number). It is tidy: one row per observation, one value per cell.",
        "Each row is a city in a given month and year. Rainfall is a number, the city is a category, and year with "
        "month tell the time. I think it is tidy, because no cell holds two values.",
        "A row is one measurement: how much rain fell in one city in one month. Four columns, four variables. It "
        "is tidy, but I would join year and month into one date column to make charts easier.",
    ),
    "Make a chart of your own": (
        "I compared Lagos and Oslo with a line chart of monthly rainfall in 2023, because the months are time and "
        "a line shows how rain rises and falls through the year. Both axes are labelled, rainfall in mm.",
        "My chart shows Lagos and Oslo month by month in 2023 as two lines. A bar per month would also work, but "
        "the lines make the wet seasons easy to compare: mid-year in Lagos, winter in Oslo.",
        "Line chart, Lagos against Oslo, 2023. I chose lines because the x-axis is time. The chart shows that the "
        "two cities have their wet months at opposite times of the year.",
    ),
    "Spot the third variable": (
        "Claim (a magazine): children who eat breakfast do better at school. A third variable could be family "
        "income, which affects both. Data on families with the same income would help settle it.",
        "An advert said people who use their gym app lose more weight. Maybe people who are already motivated use "
        "the app more: motivation drives both. A trial that gives the app to random people would settle it.",
        "A friend said cities with more cafés have more crime. Population drives both: bigger cities have more of "
        "everything. Comparing rates per 1,000 people would settle it.",
    ),
}

FEEDBACK: dict[str, tuple[str, str, str]] = {  # strong, fair, weak
    "Describe a data set": (
        "Exactly right: observation, variables and their kinds, and a clear reason why it is tidy.",
        "Good: you found the observation and the variables. Say what kind each variable is to complete it.",
        "You have started well, but one row is one city in one month, not one city. Have another look at the lesson "
        "on tidy data.",
    ),
    "Make a chart of your own": (
        "A clear chart: both axes are labelled, with units, and you explain why a line suits months. Next time, "
        "add a title.",
        "The chart compares the two cities well. Label the vertical axis with its unit (mm), and add a title.",
        "The chart is hard to read: the axes have no labels. Look again at the video on bar and line charts.",
    ),
    "Spot the third variable": (
        "A strong example: a believable third variable, and a sensible way to test it.",
        "A good claim and a plausible third variable. Say more about what data would settle it.",
        "The claim is a good find, but the third variable needs to drive both things. Ask: what could cause both?",
    ),
}


def submission(title: str, learner: int) -> str:
    versions = SUBMISSIONS.get(title, ("My answer is in the text box.",))
    return versions[learner % len(versions)]


def feedback(title: str, share: float) -> str:
    strong, fair, weak = FEEDBACK.get(title, ("Well done.", "Good work.", "Let's talk about this one."))
    if share >= 0.8:
        return strong
    return fair if share >= 0.6 else weak
