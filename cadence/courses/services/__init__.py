"""Course writes. Import from here: `from cadence.courses import services`."""

from cadence.courses.services.enrolment import (
    InvitationInvalid,
    TooManyAttempts,
    accept_invitation,
    accept_my_invitation,
    add_person,
    change_role,
    check_code_attempts,
    count_wrong_code,
    course_for_code,
    create_group,
    decline_invitation,
    invitation_for_token,
    invite,
    join_course,
    join_with_code,
    remove_member,
    set_groups,
)
from cadence.courses.services.extensions import grant_extension, revoke_extension
from cadence.courses.services.roster import RosterError, RosterInvalid, RosterResult, import_roster, parse_roster
from cadence.courses.services.structure import (
    archive_course,
    archive_item,
    archive_module,
    create_course,
    create_item,
    create_module,
    move_item,
    move_module,
    regenerate_enrolment_code,
    reorder_items,
    reorder_modules,
    restore_course,
    restore_item,
    restore_module,
    set_derived_minutes,
    update_course,
    update_item,
    update_module,
)

__all__ = [
    "InvitationInvalid", "RosterError", "RosterInvalid", "RosterResult", "TooManyAttempts", "accept_invitation",
    "accept_my_invitation", "add_person", "archive_course", "archive_item", "archive_module", "change_role",
    "check_code_attempts", "count_wrong_code", "course_for_code", "create_course", "create_group", "create_item",
    "create_module", "decline_invitation", "grant_extension", "import_roster", "invitation_for_token", "invite",
    "join_course", "join_with_code", "move_item", "move_module", "parse_roster",
    "regenerate_enrolment_code", "remove_member", "reorder_items", "reorder_modules", "restore_course",
    "restore_item", "restore_module", "revoke_extension",
    "set_derived_minutes", "set_groups", "update_course", "update_item", "update_module",
]  # fmt: skip
