"""One parity test across every rule of the policy, every kind of person and the shared test world.

For each (model, action) in `policy.RULES`, each person and each object of that model in the world:
`can(user, action, obj)` holds exactly when `obj` is in `scope(user, action, ...)` and `user` is in
`audience(action, obj, ...)`. Lists, detail pages and notifications therefore cannot disagree.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model

from cadence import policy
from cadence.tests.policy_world import PolicyWorld

pytestmark = pytest.mark.django_db


def test_can_scope_and_audience_agree_for_every_rule_role_and_object(policy_world: PolicyWorld) -> None:
    rules = [key for key in policy.RULES if key[0] is not None]
    assert not [key for key in rules if not policy_world.objects.get(key[0])], "every rule needs objects to try"
    people = {name: user for name, user in policy_world.actors.items() if user is not None}
    ids = [user.pk for user in people.values()]
    problems: list[str] = []
    allowed: set[tuple[type[Model] | None, str]] = set()
    denied: set[tuple[type[Model] | None, str]] = set()
    for model, action in rules:
        assert model is not None
        objs = policy_world.objects[model]
        heard = {obj.pk: set(policy.audience(action, obj, ids)) for obj in objs}
        for name, user in policy_world.actors.items():
            actor = user if user is not None else AnonymousUser()
            rows = model._base_manager.filter(pk__in=[obj.pk for obj in objs])  # archived rows too
            listed = set(policy.scope(actor, action, rows).values_list("pk", flat=True))
            for obj in objs:
                may = policy.can(actor, action, obj)
                in_scope = obj.pk in listed
                in_audience = user is not None and user.pk in heard[obj.pk]
                if may != in_scope or (user is not None and may != in_audience):
                    problems.append(
                        f"{model.__name__}.{action} for {name} on {obj!r} (pk {obj.pk}): "
                        f"can={may} scope={in_scope} audience={in_audience}"
                    )
                (allowed if may else denied).add((model, action))
    assert not problems, "\n".join(problems)
    # No rule passes vacuously: each allows someone something in the world and refuses someone something.
    assert set(rules) - allowed == set()
    assert set(rules) - denied == set()


def test_an_inactive_account_may_do_nothing_and_hears_of_nothing(policy_world: PolicyWorld) -> None:
    inactive = policy_world.actors["inactive"]
    assert inactive is not None
    for model, action in policy.RULES:
        for obj in policy_world.objects.get(model, []) if model is not None else []:
            assert not policy.can(inactive, action, obj)
            assert policy.audience(action, obj, [inactive.pk]) == []
