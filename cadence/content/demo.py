"""What the demo course's lessons, videos, checklists and library contain. Kept small so seeding stays fast."""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from cadence.accounts.models import User
from cadence.content import services as content_services
from cadence.courses.models import Course, Item

# A five-second test card with a tone, made by ffmpeg (testsrc2 and sine), shipped with Cadence so the
# demo plays offline and is served, like every upload, through the permission-checked media view.
DEMO_VIDEO = Path(__file__).resolve().parent / "fixtures" / "demo-lecture.webm"
DEMO_VIDEO_SECONDS = 5

LESSONS = {
    "Welcome and how to study here": """## How this course works
You study **when it suits you**. Each module has short lessons, a video or two, and a quiz you can
retake as often as you like.

### A good week
1. Plan two or three study blocks of about 40 minutes.
2. Start each block by recalling what you learned last time, *before* looking at your notes.
3. Finish by writing one question you still have, and post it in the forum.

> Short, spaced sessions beat one long session the night before.
""",
    "Rows, columns and tidy data": """## Tidy data
A table is **tidy** when:

- each **row** is one observation,
- each **column** is one variable,
- each **cell** holds one value.

| city | year | rainfall (mm) |
|---|---|---|
| Lagos | 2023 | 1,532 |
| Oslo | 2023 | 763 |

Spreadsheets often break these rules: a year in every column, or two values in one cell.
In code, tidy data is easy to filter: `rows where rainfall > 1000`.
""",
    "Mean, median and mode": """## Three kinds of average
- The **mean** adds every value and divides by how many there are.
- The **median** is the middle value once the values are sorted.
- The **mode** is the value that appears most often.

Household incomes are a classic case: a few very large incomes pull the mean up, but not the
median. That is why reports usually quote the *median* income.
""",
    "Correlation is not causation": """## Why do they rise together?
Ice cream sales and sunburn both rise in summer. Neither causes the other: a **third variable**,
sunshine, drives both.

Before believing that *A causes B*, ask:

1. Could B cause A instead?
2. Could something else cause both?
3. Could it be chance?
""",
}

CHECKLISTS = {
    "Set up your study routine": [
        "Set your time zone on your **profile**, so that dates are shown in your own time.",
        "Choose the days and times of your study blocks.",
        "Read the lesson *Welcome and how to study here*.",
        "Introduce yourself in the forum.",
    ],
}

CAPTIONS_EN = """WEBVTT

1
00:00:00.000 --> 00:00:01.500
<v Maya>Every data set starts with something we observe.

2
00:00:01.500 --> 00:00:03.000
<v Maya>Here: a test card, filmed frame by frame.

3
00:00:03.000 --> 00:00:05.000
<v Maya>Each frame is an observation; its colours and shapes are variables.
"""


CITIES = ("Lagos", "Oslo", "Lisbon", "Mumbai", "Lima", "Cairo", "Tokyo", "Nairobi", "Quito", "Perth", "Dhaka", "Denver")


def rainfall_csv() -> bytes:
    """Monthly rainfall for twelve cities, 2014-2023: made up, but with a believable seasonal shape."""
    lines = ["city,year,month,rainfall_mm"]
    for c, city in enumerate(CITIES):
        for year in range(2014, 2024):
            for month in range(1, 13):
                season = (month + c * 5) % 12  # each city's wet season falls in a different month
                mm = 15 + (c * 37 + year * 11 + month * 7) % 40 + (140 if season in (5, 6, 7) else 0)
                lines.append(f"{city},{year},{month},{mm}")
    return ("\n".join(lines) + "\n").encode()


GLOSSARY = """# Glossary of data terms

- **Observation**: one thing we measured, such as one city in one month.
- **Variable**: a property we measured for every observation, such as rainfall.
- **Mean, median, mode**: three kinds of average.
- **Outlier**: a value far from the rest.
- **Correlation**: two variables that rise or fall together.
"""

LINKS = {
    "Interactive: guess the correlation": "https://www.guessthecorrelation.com/",
}


def add_library(*, actor: User, course: Course) -> None:
    """Resources that are in the library without being an item of the outline."""
    content_services.save_resource(
        actor=actor,
        course=course,
        data=content_services.ResourceInput(
            title="Glossary of data terms",
            description="Every term the course uses, in one page. Keep it open while you study.",
            tags=("reference", "vocabulary"),
        ),
        upload=SimpleUploadedFile("glossary.md", GLOSSARY.encode(), content_type="text/markdown"),
    )
    content_services.save_resource(
        actor=actor,
        course=course,
        data=content_services.ResourceInput(
            title="Our World in Data",
            description="Charts and open data sets on health, climate, education and more: good for the "
            "assignment and the forum.",
            url="https://ourworldindata.org/",
            tags=("data sources", "climate"),
        ),
    )


def add_content(*, actor: User, item: Item) -> None:
    """Fill a demo lesson, video, checklist, file or link item with its content; other kinds are left as they are."""
    if item.kind == "lesson" and item.title in LESSONS:
        content_services.save_lesson(actor=actor, item=item, body=LESSONS[item.title])
    elif item.kind == "checklist" and item.title in CHECKLISTS:
        steps = [content_services.StepInput(None, text) for text in CHECKLISTS[item.title]]
        content_services.save_checklist(actor=actor, item=item, steps=steps)
    elif item.kind == "video":
        upload = SimpleUploadedFile(DEMO_VIDEO.name, DEMO_VIDEO.read_bytes(), content_type="video/webm")
        content_services.save_video(actor=actor, item=item, upload=upload, duration_seconds=DEMO_VIDEO_SECONDS)
        captions = SimpleUploadedFile("captions-en.vtt", CAPTIONS_EN.encode(), content_type="text/vtt")
        content_services.add_captions(actor=actor, item=item, label="English", language="en", upload=captions)
    elif item.kind == "file":
        content_services.save_resource(
            actor=actor,
            course=item.course,
            item=item,
            data=content_services.ResourceInput(
                title=item.title,
                description="One row per city and month: `city`, `year`, `month`, `rainfall_mm`. Open it in any "
                "spreadsheet.",
                tags=("data sets", "climate"),
            ),
            upload=SimpleUploadedFile("rainfall.csv", rainfall_csv(), content_type="text/csv"),
        )
    elif item.kind == "link" and item.title in LINKS:
        content_services.save_resource(
            actor=actor,
            course=item.course,
            item=item,
            data=content_services.ResourceInput(title=item.title, url=LINKS[item.title], tags=("practice",)),
        )
