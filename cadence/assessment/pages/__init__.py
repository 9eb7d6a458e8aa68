"""Page builders: what quizzes and assignments add to the item page, for the role looking at it.

Every app that owns an item type has this layer under the same name (`content.pages`, `community.pages`,
`assessment.pages`): functions that take the request and the item (already fetched and checked for "view"),
ask the policy, call selectors, and return the context a template renders, in a fixed number of queries.
They hold no rule of their own: who may do what is `cadence.policy`'s, scoring and dates are the domain's.
"""

from __future__ import annotations

from cadence.assessment.pages import assignment, quiz


def register_item_types() -> None:
    quiz.register_item_types()
    assignment.register_item_types()
