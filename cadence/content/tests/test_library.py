from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cadence.content import services
from cadence.content.models import Resource, ResourceTag
from cadence.content.services import ResourceInput
from cadence.content.tests.conftest import stored_files
from cadence.content.tests.factories import png_bytes, upload
from cadence.core.errors import FieldError, InvalidInput, NotAllowed
from cadence.core.models import AuditEntry
from cadence.courses.tests.factories import ItemFactory
from cadence.progress.models import Event, Verb
from cadence.progress.services import ReleaseSpec, mark_complete, set_release_rule
from conftest import CourseWorld

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
DOCX = b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40
CSV = "city,rain_mm\nLisbon,774\nSão Paulo,1441\n".encode()


def _save(world: CourseWorld, name: str = "notes.pdf", content: bytes = PDF, **data) -> Resource:
    fields = {"title": "Reading notes", **data}
    return services.save_resource(
        actor=world.teacher, course=world.course, data=ResourceInput(**fields), upload=upload(name, content)
    )


def _link(world: CourseWorld, **data) -> Resource:
    fields = {"title": "Our World in Data", "url": "https://ourworldindata.org/", **data}
    return services.save_resource(actor=world.teacher, course=world.course, data=ResourceInput(**fields))


def _file_url(resource: Resource) -> str:
    return reverse("content:resource-file", args=[resource.course.slug, resource.pk, resource.filename])


# --- Services ---------------------------------------------------------------------------------------
def test_a_file_is_stored_with_its_format_size_checksum_and_tags(world: CourseWorld, media_root: Path):
    resource = _save(world, "Week 1 notes.pdf", tags=["Statistics", " week 1", "statistics"])
    assert resource.filename == "Week_1_notes.pdf"
    assert resource.content_type == "application/pdf"
    assert resource.kind == "document"  # suggested by the format
    assert resource.size == len(PDF)
    assert resource.sha256 == hashlib.sha256(PDF).hexdigest()
    assert sorted(t.name for t in resource.tags.all()) == ["statistics", "week 1"]
    assert len(stored_files(media_root)) == 1
    assert AuditEntry.objects.filter(verb="resource.saved", object_id=str(resource.pk)).exists()


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [("slides.pptx", DOCX, "slides"), ("rain.csv", CSV, "dataset"), ("chart.png", png_bytes(), "media")],
)
def test_the_format_suggests_the_type(world: CourseWorld, name: str, content: bytes, kind: str):
    assert _save(world, name, content).kind == kind


def test_tags_are_shared_within_a_course(world: CourseWorld):
    _save(world, tags=["r"])
    _link(world, tags=["R", "links"])
    assert sorted(ResourceTag.objects.filter(course=world.course).values_list("name", flat=True)) == ["links", "r"]


def test_a_link_needs_an_http_address(world: CourseWorld):
    assert _link(world).kind == "link"
    for bad in ("javascript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd", "example.org"):
        with pytest.raises(FieldError, match="Only http:// and https://") as caught:
            _link(world, url=bad)
        assert caught.value.field == "url"
    assert Resource.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.html", b"<html><script>alert(1)</script></html>", "the library takes"),
        ("drawing.svg", b"<svg onload=alert(1)>", "the library takes"),
        ("report.pdf", b"MZ\x90\x00 an executable", "contents must match its name"),
        ("data.csv", "naïve".encode("latin-1"), "is not UTF-8 text"),
        ("data.csv", b"a,b\n1,\x00\n", "is not UTF-8 text"),
        ("empty.pdf", b"", "The file is empty"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(
    world: CourseWorld, media_root: Path, name: str, content: bytes, message: str
):
    with pytest.raises(FieldError, match=message):
        _save(world, name, content)
    assert Resource.objects.count() == 0
    assert stored_files(media_root) == []


def test_a_file_over_the_limit_is_refused(world: CourseWorld, settings, media_root: Path):
    settings.CONTENT_RESOURCE_MAX_BYTES = 1024
    with pytest.raises(FieldError, match=r"too large \(0\.0 MB\); library files may be at most"):
        _save(world, content=PDF + b"0" * 2000)
    assert stored_files(media_root) == []


def test_file_and_address_together_or_neither_are_refused(world: CourseWorld):
    with pytest.raises(FieldError, match="either a file or an address"):
        services.save_resource(
            actor=world.teacher,
            course=world.course,
            data=ResourceInput(title="Both", url="https://example.org"),
            upload=upload("a.pdf", PDF),
        )
    with pytest.raises(FieldError, match="Upload a file or give the address"):
        services.save_resource(actor=world.teacher, course=world.course, data=ResourceInput(title="Neither"))
    with pytest.raises(FieldError, match="title"):
        _save(world, title="   ")
    assert Resource.objects.count() == 0


def test_only_teachers_change_the_library(world: CourseWorld):
    for person in (world.learner, world.ta, world.observer, world.outsider):
        with pytest.raises(NotAllowed):
            services.save_resource(
                actor=person, course=world.course, data=ResourceInput(title="x", url="https://example.org")
            )
    resource = _link(world)
    with pytest.raises(NotAllowed):
        services.delete_resource(actor=world.learner, resource=resource)


def test_a_new_file_replaces_the_old_one_after_commit(
    world: CourseWorld, media_root: Path, django_capture_on_commit_callbacks
):
    resource = _save(world)
    first = stored_files(media_root)
    with django_capture_on_commit_callbacks(execute=True):
        services.save_resource(
            actor=world.teacher,
            course=world.course,
            resource=resource,
            data=ResourceInput(title="Reading notes v2"),
            upload=upload("v2.pdf", PDF + b"v2"),
        )
    now = stored_files(media_root)
    assert len(now) == 1 and now != first
    with django_capture_on_commit_callbacks(execute=True):
        services.save_resource(
            actor=world.teacher,
            course=world.course,
            resource=resource,
            data=ResourceInput(title="Now a link", url="https://example.org/notes"),
        )
    resource.refresh_from_db()
    assert not resource.is_file and resource.url == "https://example.org/notes" and resource.sha256 == ""
    assert stored_files(media_root) == []


def test_deleting_a_resource_removes_its_file(world: CourseWorld, media_root: Path, django_capture_on_commit_callbacks):
    resource = _save(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_resource(actor=world.teacher, resource=resource)
    assert stored_files(media_root) == [] and Resource.objects.count() == 0


# --- Pages ------------------------------------------------------------------------------------------
def test_the_library_lists_what_learners_may_open(client, world: CourseWorld):
    _save(world, title="Notes", description="Read **before** week 2.", tags=["week 1"])
    _link(world, title="Secret draft", is_published=False)
    client.force_login(world.learner)
    page = client.get(reverse("content:library", args=[world.course.slug])).content.decode()
    assert "Notes" in page and "<strong>before</strong>" in page and "week 1" in page
    assert "Secret draft" not in page
    assert "Add a resource" not in page
    client.force_login(world.teacher)
    page = client.get(reverse("content:library", args=[world.course.slug])).content.decode()
    assert "Secret draft" in page and "Hidden" in page and "Add a resource" in page


def test_the_library_filters_by_words_tag_and_type(client, world: CourseWorld):
    _save(world, title="Rainfall data", name="rain.csv", content=CSV, tags=["weather"])
    _link(world, title="Glossary", description="Words about rainfall", tags=["words"])
    client.force_login(world.learner)
    url = reverse("content:library", args=[world.course.slug])

    def titles(query: str) -> list[str]:
        page = client.get(url + query).content.decode()
        return [t for t in ("Rainfall data", "Glossary") if f">{t}</a>" in page]

    assert titles("?q=rainfall") == ["Rainfall data", "Glossary"]
    assert titles("?tag=weather") == ["Rainfall data"]
    assert titles("?kind=link") == ["Glossary"]
    assert titles("?q=nothing-like-this") == []
    fragment = client.get(url + "?q=glossary", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="library-results"') and "<html" not in fragment


def test_the_library_page_runs_a_fixed_number_of_queries(client, world: CourseWorld):
    url = reverse("content:library", args=[world.course.slug])
    client.force_login(world.learner)
    _save(world, tags=["a"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(15):
        _link(world, title=f"Link {n}", tags=[f"t{n}", "shared"])
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few) <= 14


def test_a_download_is_an_attachment_with_safe_headers_and_an_event(client, world: CourseWorld):
    resource = _save(world)
    client.force_login(world.learner)
    response = client.get(_file_url(resource))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="notes.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    event = Event.objects.get(verb=Verb.DOWNLOADED)
    assert (event.actor, event.object_type, event.object_id) == (world.learner, "resource", str(resource.pk))
    client.get(_file_url(resource), HTTP_RANGE="bytes=10-")  # the rest of a resumed download: same use
    assert Event.objects.filter(verb=Verb.DOWNLOADED).count() == 1


def test_a_wrong_file_name_or_another_course_is_not_found(client, world: CourseWorld):
    resource = _save(world)
    client.force_login(world.learner)
    wrong = reverse("content:resource-file", args=[world.course.slug, resource.pk, "other.pdf"])
    assert client.get(wrong).status_code == 404
    client.force_login(world.outsider)
    assert client.get(_file_url(resource)).status_code == 403


def test_opening_a_link_records_it_and_redirects(client, world: CourseWorld):
    resource = _link(world)
    client.force_login(world.learner)
    response = client.get(reverse("content:resource-open", args=[world.course.slug, resource.pk]))
    assert response.status_code == 302 and response["Location"] == "https://ourworldindata.org/"
    assert response["Referrer-Policy"] == "no-referrer"
    assert Event.objects.filter(verb=Verb.VIEWED, object_type="resource", object_id=str(resource.pk)).exists()


def test_teachers_add_a_resource_through_the_form(client, world: CourseWorld):
    client.force_login(world.teacher)
    url = reverse("content:resource-create", args=[world.course.slug])
    response = client.post(
        url, {"title": "Rain", "file": upload("rain.csv", CSV), "tags": "weather, data", "is_published": "on"}
    )
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert resource.kind == "dataset" and resource.content_type.startswith("text/csv")
    bad = client.post(url, {"title": "Page", "file": upload("page.html", b"<script>alert(1)</script>")})
    assert bad.status_code == 400
    assert "the library takes" in bad.content.decode() and Resource.objects.count() == 1
    bad = client.post(url, {"title": "Script", "url": "javascript:alert(1)"})
    assert bad.status_code == 400 and "Only http:// and https://" in bad.content.decode()


# --- File and link items --------------------------------------------------------------------------
def test_a_file_item_shows_its_resource_and_follows_the_items_release(client, world: CourseWorld):
    gate, item = world.items[0], ItemFactory(module=world.modules[0], kind="file", title="Handout", position=9)
    client.force_login(world.teacher)
    response = client.post(
        reverse("content:item-resource-edit", args=[world.course.slug, item.pk]),
        {"title": "Handout", "description": "Print it.", "file": upload("handout.pdf", PDF)},
    )
    assert response.status_code == 302
    resource = Resource.objects.get(item=item)
    set_release_rule(actor=world.teacher, target=item, spec=ReleaseSpec(after_item=gate))

    client.force_login(world.learner)
    item_page = reverse("courses:item-detail", args=[world.course.slug, item.pk])
    library = reverse("content:library", args=[world.course.slug])
    assert "Handout" not in client.get(library).content.decode()  # locked: not listed
    assert client.get(_file_url(resource)).status_code == 403
    mark_complete(user=world.learner, item=gate, now=timezone.now())
    page = client.get(item_page).content.decode()
    assert "Download handout.pdf" in page and "Print it." in page
    assert "Handout" in client.get(library).content.decode()
    assert client.get(_file_url(resource)).status_code == 200


def test_a_link_item_opens_its_address(client, world: CourseWorld):
    item = ItemFactory(module=world.modules[0], kind="link", title="Dataset portal", position=9)
    services.save_resource(
        actor=world.teacher,
        course=world.course,
        data=ResourceInput(title="Dataset portal", url="https://data.example.org/"),
        item=item,
    )
    client.force_login(world.learner)
    page = client.get(reverse("courses:item-detail", args=[world.course.slug, item.pk])).content.decode()
    assert "Open the link" in page and "https://data.example.org/" in page


def test_only_file_and_link_items_of_the_course_hold_a_resource(world: CourseWorld):
    lesson = ItemFactory(module=world.modules[0], kind="lesson")
    with pytest.raises(InvalidInput, match="Only a file or link item"):
        services.save_resource(
            actor=world.teacher,
            course=world.course,
            data=ResourceInput(title="x", url="https://example.org"),
            item=lesson,
        )
