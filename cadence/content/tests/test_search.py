"""Search within a course: the same behaviour on SQLite (FTS5) and PostgreSQL (tsvector), whichever runs."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from cadence.content import search, selectors, services
from cadence.content.models import SearchEntry
from cadence.content.services import ResourceInput
from cadence.content.tests.factories import WEBM_HEAD, media_bytes, upload, vtt_text
from cadence.courses import services as course_services
from cadence.courses.models import Item
from cadence.courses.tests.factories import CourseFactory, ItemFactory, ModuleFactory
from cadence.progress.models import Event, Verb
from cadence.progress.services import ReleaseSpec, set_release_rule
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


def _lesson(world: CourseWorld, title: str, body: str, **fields) -> Item:
    item = course_services.create_item(
        actor=world.teacher, module=world.modules[0], data={"title": title, "kind": "lesson", **fields}
    )
    services.save_lesson(actor=world.teacher, item=item, body=body)
    return item


def _titles(world: CourseWorld, query: str, user=None) -> list[str]:
    results = selectors.search_course(user or world.learner, world.course, query, now=timezone.now())
    return [hit.title for hit in results.hits]


def test_lesson_text_is_found_with_the_words_marked(world: CourseWorld):
    _lesson(world, "Tidy data", "Each **variable** forms a column; each observation forms a row.")
    _lesson(world, "Charts", "Bar charts compare categories.")
    results = selectors.search_course(world.learner, world.course, "observation", now=timezone.now())
    assert [h.title for h in results.hits] == ["Tidy data"]
    passage = str(results.hits[0].passage)
    assert "<mark>observation</mark>" in passage
    assert "**" not in passage  # Markdown is indexed as the text a reader sees


def test_words_match_by_stem_and_prefix_and_all_must_match(world: CourseWorld):
    _lesson(world, "Variables", "Measuring variables and their distributions.")
    assert _titles(world, "variable") == ["Variables"]  # singular finds plural
    assert _titles(world, "distrib") == ["Variables"]  # a prefix, as one types
    assert _titles(world, "measuring distributions") == ["Variables"]
    assert _titles(world, "measuring penguins") == []


def test_titles_rank_above_text(world: CourseWorld):
    _lesson(world, "About outliers", "Points far from the rest.")
    _lesson(world, "Summaries", "The mean is pulled by an outlier; the median is not.")
    assert _titles(world, "outlier") == ["About outliers", "Summaries"]


def test_accents_are_folded_on_sqlite_and_kept_on_postgresql(world: CourseWorld):
    _lesson(world, "Café culture", "Rainfall in São Paulo.")
    assert _titles(world, "São Paulo") == ["Café culture"]


def test_transcripts_are_found_with_the_moment(world: CourseWorld):
    item = course_services.create_item(
        actor=world.teacher, module=world.modules[0], data={"title": "Lecture 1", "kind": "video"}
    )
    services.save_video(actor=world.teacher, item=item, upload=upload("talk.webm", media_bytes(WEBM_HEAD)))
    cues = [(0, 4000, "Welcome everyone."), (65_000, 70_000, "Now a word about histograms.")]
    services.add_captions(
        actor=world.teacher, item=item, label="English", language="en", upload=upload("en.vtt", vtt_text(cues).encode())
    )
    hit = selectors.search_course(world.learner, world.course, "histogram", now=timezone.now()).hits[0]
    assert (hit.title, hit.start_seconds, hit.track_language) == ("Lecture 1", 65, "en")
    # Renaming the item renames its transcript passages too.
    course_services.update_item(actor=world.teacher, item=item, data={"title": "Lecture one"})
    assert _titles(world, "histograms") == ["Lecture one"]


def test_library_resources_are_found_by_description_and_tag(world: CourseWorld):
    services.save_resource(
        actor=world.teacher,
        course=world.course,
        data=ResourceInput(title="Portal", url="https://data.example.org", description="Open climate data", tags=["r"]),
    )
    assert _titles(world, "climate") == ["Portal"]


def test_learners_find_only_what_they_may_open(world: CourseWorld):
    _lesson(world, "Draft lesson", "Secret quantiles.", is_published=False)
    gate = _lesson(world, "Gate", "Start here.")
    locked = _lesson(world, "Later lesson", "More quantiles.")
    set_release_rule(actor=world.teacher, target=locked, spec=ReleaseSpec(after_item=gate))
    services.save_resource(
        actor=world.teacher,
        course=world.course,
        data=ResourceInput(title="Hidden file", url="https://example.org", description="quantiles", is_published=False),
    )
    assert _titles(world, "quantiles") == []
    assert sorted(_titles(world, "quantiles", world.teacher)) == ["Draft lesson", "Hidden file", "Later lesson"]
    assert _titles(world, "quantiles", world.outsider) == []


def test_an_archived_item_is_found_by_nobody_until_restored(world: CourseWorld):
    item = _lesson(world, "Gone soon", "Ephemeral words.")
    course_services.archive_item(actor=world.teacher, item=item, now=timezone.now())
    assert _titles(world, "ephemeral") == []
    assert _titles(world, "ephemeral", world.teacher) == []
    course_services.restore_item(actor=world.teacher, item=item)
    assert _titles(world, "ephemeral") == ["Gone soon"]


def test_an_item_in_an_archived_module_is_found_by_nobody(world: CourseWorld):
    item = _lesson(world, "Deep inside", "Subterranean words.")
    course_services.archive_module(actor=world.teacher, module=item.module, now=timezone.now())
    assert _titles(world, "subterranean") == []
    assert _titles(world, "subterranean", world.teacher) == []


def test_another_course_is_never_searched(world: CourseWorld):
    _lesson(world, "Alpha", "Shared word.")
    other = CourseFactory()
    other_item = ItemFactory(module=ModuleFactory(course=other), kind="lesson", title="Omega", description="Shared")
    search.index_item(other_item)
    assert _titles(world, "alpha") == ["Alpha"] and _titles(world, "omega") == []
    assert _titles(world, "shared") == ["Alpha"]


@pytest.mark.parametrize(
    "query",
    ['"', "AND", "OR NOT", "*", "NEAR(a b)", "title:x", "a & b | !c", "'", ":*", "()", "-x", "^", "\\", "%_"],
)
def test_search_syntax_typed_by_people_is_just_words(world: CourseWorld, query: str):
    _lesson(world, "Anything", "Some text.")
    selectors.search_course(world.learner, world.course, query, now=timezone.now())  # no database error


def test_passages_are_escaped(world: CourseWorld):
    _lesson(world, "Code", "In the shell, `1 < 2 && <img src=x onerror=alert(1)>` prints nothing.")
    passage = str(selectors.search_course(world.learner, world.course, "shell", now=timezone.now()).hits[0].passage)
    assert "<mark>shell</mark>" in passage
    assert "<img" not in passage and "&lt;" in passage


def test_the_search_page_records_the_search_and_links_to_moments(client, world: CourseWorld):
    _lesson(world, "Sampling", "Random samples.")
    client.force_login(world.learner)
    url = reverse("content:course-search", args=[world.course.slug])
    page = client.get(url, {"q": "random"}).content.decode()
    assert "1 result for “random”" in page and "<mark>Random</mark>" in page
    event = Event.objects.get(verb=Verb.SEARCHED)
    assert event.result == {"query": "random", "hits": 1}
    assert "Nothing in this course matches" in client.get(url, {"q": "zebra"}).content.decode()
    assert Event.objects.filter(verb=Verb.SEARCHED).count() == 2
    client.get(url)  # the empty form records nothing
    assert Event.objects.filter(verb=Verb.SEARCHED).count() == 2


def test_the_search_page_runs_a_fixed_number_of_queries(client, world: CourseWorld):
    url = reverse("content:course-search", args=[world.course.slug])
    client.force_login(world.learner)
    _lesson(world, "Lesson 0", "Common words here.")
    client.get(url, {"q": "common"})
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"q": "common"})
    for n in range(1, 25):
        _lesson(world, f"Lesson {n}", f"Common words here, number {n}.")
    with CaptureQueriesContext(connection) as many:
        page = client.get(url, {"q": "common"}).content.decode()
    assert "25 results" in page
    assert len(many) == len(few) <= 14


def test_rebuilding_a_course_index_gives_the_same_results(world: CourseWorld):
    _lesson(world, "Regression", "Fitting a line.")
    before = _titles(world, "line")
    count = search.rebuild_course(world.course.pk)
    assert count == SearchEntry.objects.filter(course=world.course).count()
    assert _titles(world, "line") == before == ["Regression"]


class TestAnyQueryIsSafe(HypothesisTestCase):
    """Whatever people type, search answers (possibly with nothing) and never raises a database error."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.course = CourseFactory()
        item = ItemFactory(module=ModuleFactory(course=cls.course), kind="lesson", title="Words and numbers 42")
        search.index_item(item)

    @settings(max_examples=60, deadline=None)
    @given(st.text(max_size=60))
    def test_any_text(self, query: str) -> None:
        assert isinstance(search.matches(self.course.pk, search.query_words(query), limit=5), list)


def test_the_search_index_command_rebuilds_one_or_every_course(world: CourseWorld):
    _lesson(world, "Regression", "Fitting a line.")
    SearchEntry.objects.all().delete()  # as if the index were lost
    out = StringIO()
    call_command("search_index", "--course", world.course.slug, stdout=out)
    assert f"{world.course.slug}: " in out.getvalue()
    assert _titles(world, "fitting") == ["Regression"]
    call_command("search_index", stdout=out)
    assert _titles(world, "fitting") == ["Regression"]
    with pytest.raises(CommandError, match="No course has the slug"):
        call_command("search_index", "--course", "nope", stdout=out)
