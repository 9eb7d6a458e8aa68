"""What the demo course's lessons, videos, checklists and library contain. Kept small so seeding stays fast."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from cadence.accounts.models import User
from cadence.content import services as content_services
from cadence.content.models import ChecklistStep, StepTick
from cadence.courses.models import Course, Item

# Each video has its own six-second clip (drawn by ffmpeg: a table whose row, column and cell light up in turn; four
# bars, then a line), its own captions and so its own transcript. They ship with Cadence so the demo plays offline
# and is served, like every upload, through the permission-checked media view. `fixtures/README.md` says how.
FIXTURES = Path(__file__).resolve().parent / "fixtures"
VIDEO_SECONDS = 6


@dataclass(frozen=True)
class DemoVideo:
    clip: Path
    captions: str


VIDEOS = {
    "What is a data set?": DemoVideo(
        FIXTURES / "data-set.webm",
        """WEBVTT

1
00:00:00.000 --> 00:00:02.000
<v Maya>Here is a small table of rainfall. One row is one observation: Lagos in January.

2
00:00:02.000 --> 00:00:04.000
<v Maya>One column is one variable: rainfall, measured for every observation.

3
00:00:04.000 --> 00:00:06.000
<v Maya>And one cell holds one value: fifteen millimetres.
""",
    ),
    "Bar chart or line chart?": DemoVideo(
        FIXTURES / "bar-or-line.webm",
        """WEBVTT

1
00:00:00.000 --> 00:00:03.000
<v Maya>Bars compare separate things, such as the rainfall of four cities.

2
00:00:03.000 --> 00:00:06.000
<v Maya>When time is on the x-axis, a line shows the change: one city, month by month.
""",
    ),
}

LESSONS = {
    "Welcome and how to study here": """## How this course works
You study **when it suits you**. The modules after this one have short lessons, a quiz and a task you
hand in; most have a short video too. Retake the practice quizzes as often as you like; the final check allows
two attempts. The course page shows when each task is due, in your own time zone.

### A good week
1. Pick two or three times in the week for about 40 minutes of study, and keep to them.
2. Start each session by recalling what you learned last time, *before* looking at your notes.
3. Finish by writing down one question you still have, and ask it in *Questions about the course*.

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
        "Read the lesson *Welcome and how to study here*.",
        "Pick two or three times in your week for studying, and write them down where you will see them.",
        "Say hello in *Introduce yourself*, the next item of this module.",
    ],
}

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
    elif item.kind == "video" and item.title in VIDEOS:
        video = VIDEOS[item.title]
        upload = SimpleUploadedFile(video.clip.name, video.clip.read_bytes(), content_type="video/webm")
        content_services.save_video(actor=actor, item=item, upload=upload, duration_seconds=VIDEO_SECONDS)
        captions = SimpleUploadedFile("captions-en.vtt", video.captions.encode(), content_type="text/vtt")
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


def tick_checklists(*, done: Sequence[tuple[int, Item, datetime]]) -> int:
    """Learners' ticks on checklist items they completed (user id, item, when), every step, in bulk: the
    checklist shows what completed it."""
    steps: dict[int, list[int]] = {}
    item_ids = {item.pk for _user, item, _at in done}
    for item_id, step_id in ChecklistStep.objects.filter(checklist__item_id__in=item_ids).values_list(
        "checklist__item_id", "pk"
    ):
        steps.setdefault(item_id, []).append(step_id)
    ticks = [
        StepTick(step_id=step_id, user_id=user_id, ticked_at=at)
        for user_id, item, at in done
        for step_id in steps.get(item.pk, [])
    ]
    StepTick.objects.bulk_create(ticks, batch_size=500)
    return len(ticks)
