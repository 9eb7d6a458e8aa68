from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from cadence.accounts.tests.factories import UserFactory
from cadence.courses.models import Course, Group, Item, Membership, Module, Role


class CourseFactory(DjangoModelFactory[Course]):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Course {n}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    summary = "A course for testing."
    visibility = "published"
    enrolment = "open"


class ModuleFactory(DjangoModelFactory[Module]):
    class Meta:
        model = Module

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Module {n}")
    position = factory.Sequence(lambda n: n)


class ItemFactory(DjangoModelFactory[Item]):
    class Meta:
        model = Item

    module = factory.SubFactory(ModuleFactory)
    course = factory.SelfAttribute("module.course")
    kind = "lesson"
    title = factory.Sequence(lambda n: f"Item {n}")
    position = factory.Sequence(lambda n: n)


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    course = factory.SubFactory(CourseFactory)
    role = Role.LEARNER


class GroupFactory(DjangoModelFactory[Group]):
    class Meta:
        model = Group

    course = factory.SubFactory(CourseFactory)
    name = factory.Sequence(lambda n: f"Group {n}")
