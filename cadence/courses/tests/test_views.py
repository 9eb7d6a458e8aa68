from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cadence.accounts.tests.factories import UserFactory
from cadence.core.testing.queries import count_queries, serve
from cadence.courses import services
from cadence.courses.models import Course, Invitation, Item, Membership, Module
from cadence.courses.tests.factories import CourseFactory, ItemFactory, ModuleFactory
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


def _url(name: str, *args) -> str:
    return reverse(f"courses:{name}", args=args)


def test_learner_sees_course_outline(client, world: CourseWorld):
    client.force_login(world.learner)
    response = client.get(_url("course-detail", world.course.slug))
    assert response.status_code == 200
    assert world.items[0].title in response.content.decode()
    assert "Edit course" not in response.content.decode()


def test_hidden_items_are_hidden_from_learners_but_shown_to_teachers(client, world: CourseWorld):
    hidden = ItemFactory(module=world.modules[0], title="Secret draft", is_published=False)
    client.force_login(world.learner)
    assert "Secret draft" not in client.get(_url("course-detail", world.course.slug)).content.decode()
    assert client.get(_url("item-detail", world.course.slug, hidden.pk)).status_code == 404
    client.force_login(world.teacher)
    assert "Secret draft" in client.get(_url("course-detail", world.course.slug)).content.decode()


def test_preview_as_learner_hides_drafts_until_ended(client, world: CourseWorld):
    ItemFactory(module=world.modules[0], title="Secret draft", is_published=False)
    client.force_login(world.teacher)
    client.post(_url("course-preview", world.course.slug))
    page = client.get(_url("course-detail", world.course.slug)).content.decode()
    assert "Secret draft" not in page and "previewing this course" in page and "Edit course" not in page
    client.post(_url("course-preview", world.course.slug))
    assert "Secret draft" in client.get(_url("course-detail", world.course.slug)).content.decode()


def test_outsider_sees_the_about_page_and_can_join(client, world: CourseWorld):
    client.force_login(world.outsider)
    page = client.get(_url("course-detail", world.course.slug)).content.decode()
    assert "Join the course" in page and world.items[0].title not in page
    response = client.post(_url("course-join", world.course.slug))
    assert response.status_code == 302
    assert Membership.objects.filter(user=world.outsider, course=world.course, role="learner").exists()


def test_anonymous_sees_published_about_page_but_not_drafts(client):
    published = CourseFactory(visibility="published")
    draft = CourseFactory(visibility="draft")
    assert client.get(_url("course-detail", published.slug)).status_code == 200
    assert client.get(_url("course-detail", draft.slug)).status_code == 404


def test_catalogue_searches_titles_and_hides_drafts(client):
    CourseFactory(title="Algebra for Everyone")
    CourseFactory(title="Biology Basics")
    CourseFactory(title="Algebra Draft", visibility="draft")
    page = client.get(_url("catalogue"), {"q": "algebra"}).content.decode()
    assert "Algebra for Everyone" in page and "Biology Basics" not in page and "Algebra Draft" not in page


def test_catalogue_fragment_for_htmx(client):
    CourseFactory(title="Algebra for Everyone")
    response = client.get(_url("catalogue"), {"q": "alg"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="catalogue-results"') and "<html" not in html


def test_join_with_wrong_code_shows_error_on_field(client, world: CourseWorld):
    client.force_login(world.outsider)
    response = client.post(reverse("join-code"), {"code": "NOPE1234"})
    assert response.status_code == 400
    assert 'id="id_code_error"' in response.content.decode()
    assert not Membership.objects.filter(user=world.outsider).exists()


def test_teacher_creates_module_and_item(client, world: CourseWorld):
    client.force_login(world.teacher)
    response = client.post(
        _url("module-create", world.course.slug), {"title": "Week 3", "summary": "", "is_published": "on"}
    )
    assert response.status_code == 302
    module = Module.objects.get(title="Week 3")
    response = client.post(
        _url("item-create", world.course.slug, module.pk),
        {
            "title": "Reading",
            "kind": "lesson",
            "module": module.pk,
            "description": "Hello **world**",
            "is_published": "on",
            "completion_rule": "viewed",
            "completion_threshold": 80,
        },
    )
    assert response.status_code == 302
    item = Item.objects.get(title="Reading")
    page = client.get(_url("item-detail", world.course.slug, item.pk)).content.decode()
    assert "<strong>world</strong>" in page


def test_learner_posting_to_a_teacher_route_is_forbidden_and_changes_nothing(client, world: CourseWorld):
    client.force_login(world.learner)
    before = Module.objects.count()
    response = client.post(_url("module-create", world.course.slug), {"title": "Hack", "is_published": "on"})
    assert response.status_code == 403
    assert Module.objects.count() == before
    response = client.post(_url("item-move", world.course.slug, world.items[1].pk), {"direction": "up"})
    assert response.status_code == 403


def test_teacher_of_another_course_cannot_edit_this_one(client, world: CourseWorld):
    other_teacher = UserFactory()
    other = CourseFactory()
    Membership.objects.create(user=other_teacher, course=other, role="teacher")
    client.force_login(other_teacher)
    assert client.get(_url("course-edit", world.course.slug)).status_code == 403
    assert client.post(_url("item-edit", other.slug, world.items[0].pk), {"title": "x"}).status_code == 404


def test_reorder_with_htmx_returns_the_outline_fragment(client, world: CourseWorld):
    client.force_login(world.teacher)
    module = world.modules[0]
    first, second = list(module.items.order_by("position"))[:2]
    response = client.post(_url("item-move", world.course.slug, second.pk), {"direction": "up"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="course-outline"') and "<html" not in html
    assert "Moved" in html
    assert list(module.items.order_by("position").values_list("pk", flat=True))[:2] == [second.pk, first.pk]


def test_reorder_without_js_redirects_back(client, world: CourseWorld):
    client.force_login(world.teacher)
    response = client.post(_url("module-move", world.course.slug, world.modules[1].pk), {"direction": "up"})
    assert response.status_code == 302 and response.url == _url("course-detail", world.course.slug)
    assert Module.objects.filter(course=world.course).order_by("position").first() == world.modules[1]


def test_course_form_reports_duplicate_slug(client, world: CourseWorld):
    client.force_login(world.teacher)
    CourseFactory(slug="taken")
    data = {
        "title": "Data Literacy",
        "slug": "taken",
        "time_zone": "UTC",
        "pacing": "self_paced",
        "visibility": "published",
        "enrolment": "open",
    }
    response = client.post(_url("course-edit", world.course.slug), data)
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    world.course.refresh_from_db()
    assert world.course.slug == "data-literacy"


def test_a_course_that_ends_before_it_starts_is_refused_with_a_clear_message(client, world: CourseWorld):
    client.force_login(world.teacher)
    data = {
        "title": "Data Literacy", "slug": "data-literacy", "time_zone": "UTC", "pacing": "self_paced",
        "visibility": "published", "enrolment": "open", "starts_at": "2026-03-01T09:00", "ends_at": "2026-02-01T09:00",
    }  # fmt: skip
    response = client.post(_url("course-edit", world.course.slug), data)
    assert response.status_code == 200
    assert "The end must be after the start." in response.content.decode()
    world.course.refresh_from_db()
    assert world.course.ends_at is None


def test_course_dates_are_read_in_the_teachers_zone(client, world: CourseWorld):
    world.teacher.time_zone = "Asia/Tokyo"
    world.teacher.save()
    client.force_login(world.teacher)
    data = {
        "title": "Data Literacy", "slug": "data-literacy", "time_zone": "UTC", "pacing": "self_paced",
        "visibility": "published", "enrolment": "open", "starts_at": "2026-03-01T09:00",
    }  # fmt: skip
    client.post(_url("course-edit", world.course.slug), data)
    world.course.refresh_from_db()
    assert world.course.starts_at is not None
    assert world.course.starts_at.isoformat() == "2026-03-01T00:00:00+00:00"


def test_people_page_for_teacher_and_ta_not_learner(client, world: CourseWorld):
    client.force_login(world.ta)
    page = client.get(_url("people", world.course.slug)).content.decode()
    assert world.learner.email in page and "Add a person" not in page
    client.force_login(world.learner)
    assert client.get(_url("people", world.course.slug)).status_code == 403


def test_people_page_offers_check_ins_for_learners_and_messages_to_others_from_the_policy(client, world: CourseWorld):
    client.force_login(world.ta)
    page = client.get(_url("people", world.course.slug)).content.decode()
    check_in = reverse("messaging:check-in", args=[world.course.slug, world.learner.pk])
    assert check_in in page
    for person in (world.teacher, world.observer, world.ta):
        assert reverse("messaging:check-in", args=[world.course.slug, person.pk]) not in page
    assert f"to={world.observer.pk}" in page and f"to={world.ta.pk}" not in page  # never oneself


def test_teacher_adds_a_person_by_email(client, world: CourseWorld, django_capture_on_commit_callbacks):
    client.force_login(world.teacher)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            _url("people-add", world.course.slug), {"email": "new@example.org", "display_name": "", "role": "learner"}
        )
    assert response.status_code == 302
    assert Invitation.objects.filter(email="new@example.org").exists()
    assert len(callbacks) == 1


def test_add_person_with_bad_email_shows_error(client, world: CourseWorld):
    client.force_login(world.teacher)
    response = client.post(_url("people-add", world.course.slug), {"email": "nope", "role": "learner"})
    assert response.status_code == 400
    assert 'id="id_email_error"' in response.content.decode()


def test_roster_import_view_lists_bad_rows_by_line(client, world: CourseWorld):
    client.force_login(world.teacher)
    upload = SimpleUploadedFile(
        "roster.csv", b"email,name,role,group\nok@example.org,Ok,learner,\nbad,Bad,learner,\n", content_type="text/csv"
    )
    response = client.post(_url("roster-import", world.course.slug), {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Line 3:" in html and "Nothing was imported" in html
    assert not Invitation.objects.exists()


def test_change_role_and_remove_via_people_page(client, world: CourseWorld):
    client.force_login(world.teacher)
    client.post(_url("membership-role", world.course.slug, world.learner_membership.pk), {"role": "ta"})
    world.learner_membership.refresh_from_db()
    assert world.learner_membership.role == "ta"
    client.post(_url("membership-remove", world.course.slug, world.learner_membership.pk))
    assert not Membership.objects.filter(pk=world.learner_membership.pk).exists()


def test_invitation_page_states(client, world: CourseWorld, django_capture_on_commit_callbacks):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        services.invite(actor=world.teacher, course=world.course, email=world.outsider.email, now=timezone.now())
    token = mail.outbox[0].body.split("/invitations/")[1].split("/")[0]
    page = client.get(reverse("invitation-accept", args=[token])).content.decode()
    assert "Create an account to join" in page
    client.force_login(world.outsider)
    response = client.post(reverse("invitation-accept", args=[token]))
    assert response.status_code == 302
    assert client.get(reverse("invitation-accept", args=[token])).status_code == 410
    assert client.get(reverse("invitation-accept", args=["made-up"])).status_code == 410


def test_expired_invitation_page_says_so(client, world: CourseWorld):
    from cadence.core.tokens import digest

    Invitation.objects.create(
        course=world.course,
        email="late@example.org",
        digest=digest("tok"),
        expires_at=timezone.now() - timezone.timedelta(days=1),
    )
    response = client.get(reverse("invitation-accept", args=["tok"]))
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_dates_render_in_viewer_zone_with_zone_name(client, world: CourseWorld):
    import datetime as dt

    world.course.starts_at = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
    world.course.save()
    world.learner.time_zone = "America/Los_Angeles"
    world.learner.save()
    client.force_login(world.learner)
    page = client.get(_url("course-detail", world.course.slug)).content.decode()
    assert "5 a.m. (America/Los_Angeles)" in page or "5:00 a.m. (America/Los_Angeles)" in page


def _course_with_items(size: int) -> tuple[Course, Item]:
    course = CourseFactory()
    modules = [ModuleFactory(course=course, position=n) for n in range(5)]
    Item.objects.bulk_create(
        [Item(course=course, module=modules[n % 5], kind="lesson", title=f"I{n}", position=n) for n in range(size)]
    )
    return course, Item.objects.filter(course=course).order_by("position")[size // 2]


def test_course_home_and_item_page_queries_do_not_grow_with_items(client):
    learner = UserFactory()
    counts = {}
    for size in (10, 500):
        course, item = _course_with_items(size)
        Membership.objects.create(user=learner, course=course, role="learner")
        client.force_login(learner)
        home = count_queries(client, _url("course-detail", course.slug))
        first = count_queries(client, _url("item-detail", course.slug, item.pk))
        again = serve(client, _url("item-detail", course.slug, item.pk))  # reopened within minutes
        assert again.writes == []
        counts[size] = (home, first, again.count)
    assert counts[10] == counts[500]
    # The first view of an item writes its progress row, a "viewed" event and the completion; reopening it
    # within `VIEW_REFRESH_MINUTES` writes nothing (one query finds it on record).
    # The item page: one more for the lesson text (the content app's item type).
    # Every page: one for the unread count in the header.
    assert counts[10][0] <= 12 and counts[10][1] <= 31 and counts[10][2] <= 16, counts


def test_module_page_queries_do_not_grow_with_items(client):
    learner = UserFactory()
    counts = []
    for size in (10, 500):
        course, item = _course_with_items(size)
        Membership.objects.create(user=learner, course=course, role="learner")
        client.force_login(learner)
        counts.append(count_queries(client, _url("module-detail", course.slug, item.module_id)))
    assert counts[0] == counts[1] <= 14  # one of them: the header's unread notification count


def test_module_page_shows_items_progress_and_hides_drafts(client, world: CourseWorld):
    hidden = ItemFactory(module=world.modules[0], title="Draft item", is_published=False)
    client.force_login(world.learner)
    client.get(_url("item-detail", world.course.slug, world.items[0].pk))
    page = client.get(_url("module-detail", world.course.slug, world.modules[0].pk)).content.decode()
    assert world.items[1].title in page and hidden.title not in page and "1 of 3 done" in page
    Module.objects.filter(pk=world.modules[1].pk).update(is_published=False)
    assert client.get(_url("module-detail", world.course.slug, world.modules[1].pk)).status_code == 404


def test_teacher_course_home_queries_do_not_grow_with_items(client):
    teacher = UserFactory()
    counts = []
    for size in (10, 500):
        course, _item = _course_with_items(size)
        Membership.objects.create(user=teacher, course=course, role="teacher")
        client.force_login(teacher)
        counts.append(count_queries(client, _url("course-detail", course.slug)))
    assert counts[0] == counts[1]


def test_people_page_queries_do_not_grow_with_members(client, world: CourseWorld):
    client.force_login(world.teacher)
    counts = []
    for extra in (5, 60):
        for _ in range(extra):
            Membership.objects.create(user=UserFactory(), course=world.course, role="learner")
        counts.append(count_queries(client, _url("people", world.course.slug)))
    # Two for families (requests waiting, observers and learners to link), one for accommodations.
    assert counts[0] == counts[1] <= 17, counts


def test_home_and_catalogue_queries_do_not_grow_with_courses(client):
    learner = UserFactory()
    counts = []
    for extra in (3, 40):
        for _ in range(extra):
            Membership.objects.create(user=learner, course=CourseFactory(), role="learner")
        client.force_login(learner)
        counts.append((count_queries(client, reverse("home")), count_queries(client, _url("catalogue"))))
    assert counts[0] == counts[1]


def test_home_lists_my_courses(client, world: CourseWorld):
    draft = CourseFactory(title="Draft course", visibility="draft")
    Membership.objects.create(user=world.learner, course=draft, role="learner")
    client.force_login(world.learner)
    page = client.get(reverse("home")).content.decode()
    assert "Data Literacy" in page and "Draft course" not in page


def test_a_due_date_is_read_in_the_teachers_zone_and_shown_in_each_viewers(client, world: CourseWorld):
    world.teacher.time_zone = "America/New_York"
    world.teacher.save()
    world.learner.time_zone = "Europe/Lisbon"
    world.learner.save()
    item = world.items[0]
    client.force_login(world.teacher)
    response = client.post(
        _url("item-edit", world.course.slug, item.pk),
        {
            "title": item.title,
            "kind": item.kind,
            "module": item.module_id,
            "is_published": "on",
            "completion_rule": "viewed",
            "completion_threshold": 80,
            "due_at": "2026-12-01T23:59",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.due_at == datetime(2026, 12, 2, 4, 59, tzinfo=UTC)  # 23:59 in New York (UTC-5)
    client.force_login(world.learner)
    page = client.get(_url("item-detail", world.course.slug, item.pk)).content.decode()
    assert '<time datetime="2026-12-02T04:59:00+00:00">' in page and "(Europe/Lisbon)" in page
    home = client.get(_url("course-detail", world.course.slug)).content.decode()
    assert "Due <time" in home
