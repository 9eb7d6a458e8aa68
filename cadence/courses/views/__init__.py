from cadence.courses.views.accommodations import accommodation_remove, accommodations
from cadence.courses.views.archive import (
    course_archive,
    course_delete,
    course_restore,
    item_delete,
    item_restore,
    module_delete,
    module_restore,
)
from cadence.courses.views.course import (
    catalogue,
    course_create,
    course_detail,
    course_edit,
    course_join,
    course_preview,
    home,
    invitation_accept,
    join_with_code,
    module_detail,
    my_invitation_accept,
    my_invitation_decline,
)
from cadence.courses.views.people import (
    code_regenerate,
    group_create,
    membership_groups,
    membership_remove,
    membership_role,
    observer_link,
    people,
    people_add,
    roster_import,
)
from cadence.courses.views.structure import (
    extension_revoke,
    item_create,
    item_detail,
    item_edit,
    item_extensions,
    item_move,
    module_create,
    module_edit,
    module_move,
)

__all__ = [
    "accommodation_remove", "accommodations",
    "catalogue", "code_regenerate", "course_archive", "course_create", "course_delete", "course_detail",
    "course_edit", "course_join", "course_preview", "course_restore", "extension_revoke", "group_create",
    "home", "invitation_accept", "item_create", "item_delete", "item_detail", "item_edit", "item_extensions",
    "item_move", "item_restore", "join_with_code", "membership_groups", "membership_remove",
    "membership_role", "module_create", "module_delete", "module_detail", "module_edit", "module_move",
    "module_restore", "my_invitation_accept", "my_invitation_decline", "observer_link", "people", "people_add",
    "roster_import",
]  # fmt: skip
