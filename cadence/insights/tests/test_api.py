"""The learners table, check-ins and the check-in log over JSON: the same rows, filters, texts and scope as the
pages, every role, refused values that change nothing, and query counts that do not grow with the learners."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cadence.accounts.models import TokenAccess, User
from cadence.accounts.services import create_api_token
from cadence.accounts.tests.factories import UserFactory
from cadence.core.testing.queries import count_queries
from cadence.courses.models import Accommodation, Course, Group, Membership, Role
from cadence.courses.tests.factories import CourseFactory, GroupFactory, ItemFactory, MembershipFactory, ModuleFactory
from cadence.insights import api as insights_api
from cadence.insights.models import CheckInLog, CheckInTemplate, Outcome, PaceChoice, RiskLevel
from cadence.insights.selectors.learners import SORTS
from cadence.insights.tests.factories import stats_for
from cadence.messaging.models import Message
from cadence.messaging.services import MAX_CHECK_IN_LEARNERS
from cadence.progress.models import ItemProgress
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)
API = "/api/v1"
ROLES = ["anonymous", "outsider", "learner", "observer", "ta", "teacher", "admin"]
STAFF = {"ta", "teacher", "admin"}


def learners_url(course: Course, suffix: str = "") -> str:
    return f"{API}/courses/{course.pk}/learners{suffix}"


def check_ins_url(course: Course, suffix: str = "") -> str:
    return f"{API}/courses/{course.pk}/check-ins{suffix}"


def _learner(course: Course, name: str, **fields: Any) -> Membership:
    membership = MembershipFactory(course=course, role=Role.LEARNER, user=UserFactory(display_name=name))
    stats_for(membership, **fields)
    return membership


@pytest.fixture
def class_(world: CourseWorld) -> dict[str, Membership]:
    now = timezone.now()
    stats_for(
        world.learner_membership,
        last_active_at=now,
        risk_score=5,
        pace="on_track",
        started_modules=f",{world.modules[0].pk},",
    )
    return {
        "ada": _learner(world.course, "Ada Lovelace", last_active_at=now - 12 * DAY, risk_score=80, risk_level="high",
                        risk_reasons=["no activity for 12 days"], pace="behind", pace_items=-3, pace_days=-16,
                        overdue_count=2, average_score=Decimal("71.5"), active_seconds_7d=3900,
                        last_submission_at=now - 3 * DAY, progress_percent=40, required_done=2, required_count=5),
        "bo": _learner(world.course, "Bo", last_active_at=now - 2 * DAY, risk_score=30, risk_level="medium",
                       pace="ahead", pace_items=1, pace_days=4, started_modules=f",{world.modules[0].pk},"),
        "cy": _learner(world.course, "Cy", last_active_at=None, risk_score=60, risk_level="high"),
    }  # fmt: skip


def _as(client: Client, world: CourseWorld, role: str) -> Client:
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    return client


def _names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return [row["display_name"] for row in response.json()["items"]]


def _limited_ta(world: CourseWorld, *groups: Group) -> User:
    ta = UserFactory(display_name="Limited TA")
    MembershipFactory(course=world.course, user=ta, role=Role.TA).groups.add(*groups)
    return ta


def test_the_choices_offered_are_the_models_choices() -> None:
    assert set(insights_api.PaceT.__args__) == set(PaceChoice.values)
    assert set(insights_api.RiskT.__args__) == set(RiskLevel.values)


# --- The learners table ------------------------------------------------------------------------------------
def test_the_teacher_gets_every_learners_row_highest_risk_first_with_the_pages_figures(
    client: Client, world: CourseWorld, class_: dict[str, Membership]
) -> None:
    Accommodation.objects.create(
        course=world.course, membership=class_["ada"], time_multiplier=Decimal("1.5"), extension_days=2
    )
    response = _as(client, world, "teacher").get(learners_url(world.course))
    assert _names(response) == ["Ada Lovelace", "Cy", "Bo", "Learner"]
    body = response.json()
    assert body["count"] == 4
    ada = body["items"][0]
    assert ada["user_id"] == class_["ada"].user_id and ada["membership_id"] == class_["ada"].pk
    assert ada["email"] == class_["ada"].user.email
    assert ada["pace"] == {"status": "behind", "items": -3, "days": -16, "text": "Behind by 3 items, 16 days"}
    assert ada["risk"] == {"level": "high", "label": "High", "score": 80, "reasons": ["no activity for 12 days"]}
    assert (ada["overdue"], ada["average_score"], ada["progress_percent"]) == (2, 71.5, 40)
    assert (ada["required_done"], ada["required_count"]) == (2, 5)
    assert (ada["active_seconds_7d"], ada["time_studied"]) == (3900, "1 h 5 min")
    assert ada["days_since_last_submission"] == 3
    assert ada["accommodation"] == {
        "time_multiplier": 1.5,
        "extra_attempts": 0,
        "extension_days": 2,
        "summary": "× 1.5 time on timed quizzes · +2 days on every deadline",
    }
    cy = body["items"][1]
    assert cy["last_active_at"] is None and cy["days_since_last_submission"] is None
    assert cy["average_score"] is None and cy["accommodation"] is None


@pytest.mark.parametrize("role", ROLES)
def test_only_the_courses_staff_get_the_table_and_a_learners_row(
    client: Client, world: CourseWorld, class_: dict[str, Membership], role: str
) -> None:
    _as(client, world, role)
    table = client.get(learners_url(world.course))
    row = client.get(learners_url(world.course, f"/{class_['ada'].user_id}"))
    expected = 200 if role in STAFF else 401 if role == "anonymous" else 403
    assert (table.status_code, row.status_code) == (expected, expected)
    if role in STAFF:
        assert len(_names(table)) == 4 and row.json()["display_name"] == "Ada Lovelace"
    else:
        assert "Ada" not in table.content.decode() + row.content.decode()


def test_a_teacher_of_another_course_is_refused(client: Client, world: CourseWorld, class_: Any) -> None:
    stranger = UserFactory()
    MembershipFactory(course=CourseFactory(), user=stranger, role=Role.TEACHER)
    client.force_login(stranger)
    assert client.get(learners_url(world.course)).status_code == 403
    hidden = CourseFactory(visibility="draft")
    assert client.get(learners_url(hidden)).status_code == 404


def test_one_learners_row_is_404_when_it_is_not_a_learner_of_the_course_one_sees(
    client: Client, world: CourseWorld, class_: dict[str, Membership]
) -> None:
    elsewhere = _learner(CourseFactory(), "Elsewhere")
    red = GroupFactory(course=world.course, name="Red")
    class_["bo"].groups.add(red)
    _as(client, world, "teacher")
    for user_id in (world.teacher.pk, world.observer.pk, elsewhere.user_id, 2**62):
        assert client.get(learners_url(world.course, f"/{user_id}")).status_code == 404, user_id
    client.force_login(_limited_ta(world, red))
    assert client.get(learners_url(world.course, f"/{class_['bo'].user_id}")).status_code == 200
    assert client.get(learners_url(world.course, f"/{class_['ada'].user_id}")).status_code == 404


def test_a_ta_limited_to_a_group_gets_only_its_learners(
    client: Client, world: CourseWorld, class_: dict[str, Membership]
) -> None:
    tuesday, thursday = GroupFactory(course=world.course, name="Tuesday"), GroupFactory(course=world.course)
    class_["bo"].groups.add(tuesday)
    class_["ada"].groups.add(thursday)
    client.force_login(_limited_ta(world, tuesday))
    assert _names(client.get(learners_url(world.course))) == ["Bo"]
    assert _names(client.get(learners_url(world.course), {"group": thursday.pk})) == []
    _as(client, world, "ta")  # a TA in no group sees everyone
    assert len(_names(client.get(learners_url(world.course)))) == 4


def test_filters_as_on_the_page(client: Client, world: CourseWorld, class_: dict[str, Membership]) -> None:
    group = GroupFactory(course=world.course, name="Evening")
    class_["ada"].groups.add(group)
    _as(client, world, "teacher")
    url = learners_url(world.course)
    assert _names(client.get(url, {"group": group.pk})) == ["Ada Lovelace"]
    assert _names(client.get(url, {"pace": "ahead"})) == ["Bo"]
    assert _names(client.get(url, {"risk": "high"})) == ["Ada Lovelace", "Cy"]
    assert _names(client.get(url, {"inactive": 10})) == ["Ada Lovelace"]
    assert _names(client.get(url, {"inactive": 1, "sort": "name"})) == ["Ada Lovelace", "Bo"]
    assert _names(client.get(url, {"not_started": world.modules[0].pk, "sort": "name"})) == ["Ada Lovelace", "Cy"]
    assert _names(client.get(url, {"risk": "high", "pace": "behind", "group": group.pk})) == ["Ada Lovelace"]


def test_every_sort_in_both_directions(client: Client, world: CourseWorld, class_: dict[str, Membership]) -> None:
    _as(client, world, "teacher")
    url = learners_url(world.course)
    assert _names(client.get(url, {"sort": "name"}))[0] == "Ada Lovelace"
    assert _names(client.get(url, {"sort": "-name"}))[0] == "Learner"
    assert _names(client.get(url, {"sort": "risk"}))[0] == "Learner"
    assert _names(client.get(url, {"sort": "last_active"}))[-1] == "Cy"  # never active: last either way
    assert _names(client.get(url, {"sort": "-last_active"}))[-1] == "Cy"
    for key in SORTS:
        for sort in (key, f"-{key}"):
            assert len(_names(client.get(url, {"sort": sort}))) == 4, sort


def test_pages_of_rows(client: Client, world: CourseWorld, class_: dict[str, Membership]) -> None:
    _as(client, world, "teacher")
    first = client.get(learners_url(world.course), {"limit": 2, "sort": "name"}).json()
    rest = client.get(learners_url(world.course), {"limit": 2, "offset": 2, "sort": "name"}).json()
    assert first["count"] == rest["count"] == 4
    names = [r["display_name"] for r in first["items"] + rest["items"]]
    assert names == ["Ada Lovelace", "Bo", "Cy", "Learner"]


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"pace": "sideways"}, "pace", "'ahead', 'on_track', 'behind' or 'unknown'"),
        ({"risk": "severe"}, "risk", "'low', 'medium' or 'high'"),
        ({"inactive": "abc"}, "inactive", "valid integer"),
        ({"inactive": -4}, "inactive", "greater than or equal to 0"),
        ({"inactive": 3651}, "inactive", "less than or equal to 3650"),
        ({"group": "x"}, "group", "valid integer"),
        ({"group": 0}, "group", "greater than or equal to 1"),
        ({"not_started": "x"}, "not_started", "valid integer"),
        ({"sort": "password"}, "sort", "should match pattern"),
        ({"sort": "-"}, "sort", "should match pattern"),
    ],
)
def test_a_value_that_cannot_be_read_is_a_422_naming_the_field(
    client: Client, world: CourseWorld, class_: Any, params: dict[str, Any], field: str, words: str
) -> None:
    response = _as(client, world, "teacher").get(learners_url(world.course), params)
    assert response.status_code == 422, params
    body = response.json()
    assert body["detail"].startswith(f"{field}: ") and words in body["detail"], body
    assert body["errors"][0]["loc"] == ["query", field]


def test_a_group_or_module_of_another_course_is_a_422_with_a_clear_message(
    client: Client, world: CourseWorld, class_: Any
) -> None:
    other = CourseFactory()
    _as(client, world, "teacher")
    url = learners_url(world.course)
    for params, message in (
        ({"group": GroupFactory(course=other).pk}, "group: choose one of the course's groups."),
        ({"group": 2**62}, "group: choose one of the course's groups."),
        ({"not_started": ModuleFactory(course=other).pk}, "not_started: choose one of the course's modules."),
    ):
        response = client.get(url, params)
        assert response.status_code == 422 and response.json()["detail"] == message, params


def _course_with(n: int, teacher: User) -> Course:
    course = CourseFactory()
    MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
    ModuleFactory(course=course)
    group = GroupFactory(course=course)
    Accommodation.objects.create(course=course, group=group, extra_attempts=1)
    for i in range(n):
        membership = _learner(course, f"Learner {i}", risk_score=i % 100, risk_reasons=["2 items overdue"])
        if i % 2:
            membership.groups.add(group)
        if i % 3 == 0:
            Accommodation.objects.create(course=course, membership=membership, extension_days=1)
    return course


def test_the_table_costs_the_same_queries_for_3_and_60_learners(client: Client) -> None:
    teacher = UserFactory()
    small, large = _course_with(3, teacher), _course_with(60, teacher)
    client.force_login(teacher)
    assert count_queries(client, learners_url(small)) == count_queries(client, learners_url(large))
    filtered = "?risk=low&inactive=3&sort=name&limit=200"
    assert count_queries(client, learners_url(small, filtered)) == count_queries(client, learners_url(large, filtered))
    assert len(client.get(learners_url(large)).json()["items"]) == 60


def test_a_limited_tas_table_costs_the_same_queries_for_3_and_60_learners(client: Client) -> None:
    teacher = UserFactory()
    counts = []
    for n in (3, 60):
        course = _course_with(n, teacher)
        ta = UserFactory()
        MembershipFactory(course=course, user=ta, role=Role.TA).groups.add(course.groups.get())
        client.force_login(ta)
        counts.append(count_queries(client, learners_url(course)))
    assert counts[0] == counts[1]


def _token_client(user: User, **options: Any) -> Client:
    secret = create_api_token(user=user, name="school system", **options).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_a_read_only_token_reads_the_table_and_the_log_but_sends_nothing(
    world: CourseWorld, class_: dict[str, Membership]
) -> None:
    client = _token_client(world.teacher, access=TokenAccess.READ)
    assert len(_names(client.get(learners_url(world.course)))) == 4
    assert client.get(learners_url(world.course, f"/{class_['bo'].user_id}")).status_code == 200
    assert client.get(check_ins_url(world.course)).status_code == 200
    assert client.get(check_ins_url(world.course, "/templates")).status_code == 200
    sent = _send(client, world.course, learner_ids=[class_["bo"].user_id], body="Hi")
    assert sent.status_code == 403 and not Message.objects.exists()


def test_a_token_limited_to_another_course_reaches_nothing_here(
    world: CourseWorld, class_: dict[str, Membership]
) -> None:
    other = CourseFactory()
    MembershipFactory(course=other, user=world.teacher, role=Role.TEACHER)
    client = _token_client(world.teacher, course=other)
    assert client.get(learners_url(world.course)).status_code == 404
    assert client.get(check_ins_url(world.course)).status_code == 404
    assert _send(client, world.course, learner_ids=[class_["bo"].user_id], body="Hi").status_code == 404
    assert client.get(learners_url(other)).status_code == 200


# --- Check-ins ------------------------------------------------------------------------------------------------
def _send(client: Client, course: Course, **body: Any) -> Any:
    return client.post(check_ins_url(course), body, content_type="application/json")


def test_the_templates_offered_are_the_built_ins_then_the_courses_with_the_placeholders(
    client: Client, world: CourseWorld
) -> None:
    own = CheckInTemplate.objects.create(
        course=world.course, title="Nudge", body="Hi {first_name}", created_by=world.teacher, updated_at=timezone.now()
    )
    body = _as(client, world, "ta").get(check_ins_url(world.course, "/templates")).json()
    keys = [t["key"] for t in body["templates"]]
    assert keys == ["builtin:hello", "builtin:quiet", "builtin:pick-up", "builtin:overdue", f"course:{own.pk}"]
    assert body["templates"][-1] == {"key": own.key, "title": "Nudge", "body": "Hi {first_name}", "built_in": False}
    assert [p["name"] for p in body["placeholders"]][:2] == ["first_name", "course"]


def test_a_template_is_sent_to_each_chosen_learner_filled_from_their_own_data(
    client: Client, world: CourseWorld, class_: dict[str, Membership]
) -> None:
    chosen = [class_["ada"].user_id, class_["bo"].user_id]
    response = _send(_as(client, world, "teacher"), world.course, learner_ids=chosen, template="builtin:hello")
    assert response.status_code == 201, response.content
    body = response.json()
    assert [s["learner"]["display_name"] for s in body["sent"]] == ["Ada Lovelace", "Bo"]
    assert body["skipped"] == []
    for sent in body["sent"]:
        message = Message.objects.get(pk=sent["message_id"])
        assert message.conversation_id == sent["conversation_id"] and message.is_check_in
        assert message.body.startswith(f"Hi {sent['learner']['display_name'].split()[0]}, ")
        assert message.conversation.participants.filter(user_id=sent["learner"]["id"]).exists()
    logs = CheckInLog.objects.order_by("learner__display_name")
    assert [(log.source, log.template_key, log.sender_id) for log in logs] == [
        ("template", "builtin:hello", world.teacher.pk)
    ] * 2


def test_own_text_is_filled_per_learner_and_a_learner_without_a_value_is_skipped_with_the_reason(
    client: Client, world: CourseWorld, class_: dict[str, Membership]
) -> None:
    now = timezone.now()
    item = world.items[0]
    ItemProgress.objects.create(
        user=class_["ada"].user, item=item, course=world.course, first_viewed_at=now, last_viewed_at=now
    )
    chosen = [class_["ada"].user_id, class_["bo"].user_id]
    response = _send(
        _as(client, world, "teacher"), world.course, learner_ids=chosen, body="{first_name}, back to {last_item}?"
    )
    assert response.status_code == 201
    body = response.json()
    (sent,) = body["sent"]
    assert sent["learner"]["id"] == class_["ada"].user_id
    assert Message.objects.get(pk=sent["message_id"]).body.startswith(f"Ada, back to [{item.title}](/courses/")
    assert body["skipped"] == [
        {
            "learner_id": class_["bo"].user_id,
            "display_name": "Bo",
            "reasons": ["{last_item}: has not opened any item yet"],
        }
    ]
    assert CheckInLog.objects.get().source == "manual"


def test_ids_that_are_not_learners_one_may_check_in_with_are_skipped_and_named_by_id_only(
    client: Client, world: CourseWorld, class_: dict[str, Membership]
) -> None:
    elsewhere = _learner(CourseFactory(), "Elsewhere")
    chosen = [class_["bo"].user_id, world.teacher.pk, elsewhere.user_id, 2**62, class_["bo"].user_id]
    body = _send(_as(client, world, "teacher"), world.course, learner_ids=chosen, body="Hello {first_name}").json()
    assert [s["learner"]["id"] for s in body["sent"]] == [class_["bo"].user_id]
    reason = "not a learner of this course you may check in with"
    assert body["skipped"] == [
        {"learner_id": pk, "display_name": "", "reasons": [reason]}
        for pk in (world.teacher.pk, elsewhere.user_id, 2**62)
    ]


def test_a_limited_ta_checks_in_only_with_their_groups_learners_and_sees_only_their_log(
    client: Client, world: CourseWorld, class_: dict[str, Membership]
) -> None:
    red = GroupFactory(course=world.course, name="Red")
    class_["bo"].groups.add(red)
    client.force_login(_limited_ta(world, red))
    chosen = [class_["ada"].user_id, class_["bo"].user_id]
    body = _send(client, world.course, learner_ids=chosen, body="Hello {first_name}").json()
    assert [s["learner"]["id"] for s in body["sent"]] == [class_["bo"].user_id]
    assert [s["learner_id"] for s in body["skipped"]] == [class_["ada"].user_id]
    _send(_as(client, world, "teacher"), world.course, learner_ids=[class_["ada"].user_id], body="Hi")
    assert CheckInLog.objects.count() == 2
    client.force_login(Membership.objects.get(course=world.course, user__display_name="Limited TA").user)
    log = client.get(check_ins_url(world.course)).json()
    assert [row["learner"]["id"] for row in log["items"]] == [class_["bo"].user_id]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"body": "Hi {frist_name}"}, "Unknown placeholder {frist_name}. Use only: {first_name}, {course}, "),
        ({"body": "   "}, "Write the check-in's text."),
        ({"template": "builtin:nope"}, "template: no such template in this course. Use one of: builtin:hello, "),
        ({"template": "course:1"}, "template: no such template in this course."),
        ({}, "Give a template or the text of the check-in."),
        ({"body": "Where did you stop? {last_item}"}, "for every chosen learner a placeholder has no value"),
    ],
)
def test_a_text_that_cannot_be_sent_is_refused_clearly_and_nothing_is_sent(
    client: Client, world: CourseWorld, class_: dict[str, Membership], body: dict[str, Any], message: str
) -> None:
    chosen = [class_["ada"].user_id, class_["bo"].user_id]
    response = _send(_as(client, world, "teacher"), world.course, learner_ids=chosen, **body)
    assert response.status_code == 422, response.content
    assert message in response.json()["detail"]
    assert not Message.objects.exists() and not CheckInLog.objects.exists()


@pytest.mark.parametrize(
    ("learner_ids", "words"),
    [
        ([], "at least 1 item"),
        (list(range(1, MAX_CHECK_IN_LEARNERS + 2)), f"at most {MAX_CHECK_IN_LEARNERS} items"),
        ([0], "greater than or equal to 1"),
        (["7"], "Give a number"),
    ],
)
def test_a_list_of_learners_out_of_range_is_a_422_and_nothing_is_sent(
    client: Client, world: CourseWorld, class_: Any, learner_ids: list[Any], words: str
) -> None:
    response = _send(_as(client, world, "teacher"), world.course, learner_ids=learner_ids, body="Hi")
    assert response.status_code == 422 and words in response.json()["detail"]
    assert response.json()["errors"][0]["loc"][:3] == ["body", "payload", "learner_ids"]
    assert not Message.objects.exists()


def test_nobody_reachable_is_a_422_and_nothing_is_sent(client: Client, world: CourseWorld) -> None:
    response = _send(_as(client, world, "teacher"), world.course, learner_ids=[world.ta.pk], body="Hi")
    assert response.status_code == 422
    assert response.json()["detail"] == "learner_ids: none of these is a learner of this course you may check in with."
    assert not Message.objects.exists()


def test_a_retry_with_the_same_key_sends_once_and_answers_the_same(
    client: Client, world: CourseWorld, class_: dict[str, Membership]
) -> None:
    _as(client, world, "teacher")
    body = {"learner_ids": [class_["ada"].user_id, class_["bo"].user_id], "template": "builtin:hello", "key": "k-1"}
    first = _send(client, world.course, **body)
    again = _send(client, world.course, **body)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Message.objects.count() == CheckInLog.objects.count() == 2
    _send(client, world.course, **(body | {"key": "k-2"}))
    assert Message.objects.count() == 4


@pytest.mark.parametrize("role", ROLES)
def test_only_the_courses_staff_send_check_ins_and_read_the_log(
    client: Client, world: CourseWorld, class_: dict[str, Membership], role: str
) -> None:
    _as(client, world, role)
    sent = _send(client, world.course, learner_ids=[class_["bo"].user_id], body="Hi {first_name}")
    log = client.get(check_ins_url(world.course))
    templates = client.get(check_ins_url(world.course, "/templates"))
    denied = 401 if role == "anonymous" else 403
    if role in STAFF:
        assert (sent.status_code, log.status_code, templates.status_code) == (201, 200, 200)
        assert log.json()["count"] == 1
    else:
        assert (sent.status_code, log.status_code, templates.status_code) == (denied, denied, denied)
        assert not Message.objects.exists()


def test_the_log_lists_each_check_in_with_how_it_was_sent_and_its_outcome(
    client: Client, world: CourseWorld, class_: dict[str, Membership]
) -> None:
    _as(client, world, "teacher")
    _send(client, world.course, learner_ids=[class_["ada"].user_id], template="builtin:hello")
    _send(client, world.course, learner_ids=[class_["bo"].user_id], body="Hi")
    came_back = timezone.now()
    CheckInLog.objects.filter(learner=class_["ada"].user).update(outcome=Outcome.CAME_BACK, came_back_at=came_back)
    rows = client.get(check_ins_url(world.course)).json()["items"]
    assert [r["learner"]["display_name"] for r in rows] == ["Bo", "Ada Lovelace"]  # newest first
    bo, ada = rows
    assert (bo["source"], bo["outcome"], bo["came_back_at"], bo["template_key"]) == ("manual", "waiting", None, "")
    assert (ada["source"], ada["outcome"], ada["template_key"]) == ("template", "came_back", "builtin:hello")
    assert ada["template_title"] == "Friendly hello" and ada["came_back_at"] is not None
    assert ada["sender"] == {"id": world.teacher.pk, "display_name": world.teacher.display_name}
    assert (ada["rule_id"], ada["rule_name"]) == (None, "")
    assert Message.objects.filter(pk=ada["message_id"]).exists()


def test_the_log_costs_the_same_queries_for_2_and_30_check_ins(client: Client, world: CourseWorld) -> None:
    counts = []
    for n in (2, 30):
        teacher = UserFactory()  # staff may send 30 messages a minute each
        client.force_login(teacher)
        course = _course_with(n, teacher)
        ItemFactory(module=course.modules.get())
        ids = list(Membership.objects.filter(course=course, role=Role.LEARNER).values_list("user_id", flat=True))
        assert _send(client, course, learner_ids=ids, body="Hi {first_name}").status_code == 201
        counts.append(count_queries(client, check_ins_url(course)))
    assert counts[0] == counts[1]
