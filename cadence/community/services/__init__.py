"""Community writes. Import from here: `from cadence.community import services`."""

from cadence.community.services.common import Flooding, handle_of, posts_per_minute, resolve_mentions
from cadence.community.services.forums import ForumInput, create_forum, ensure_item_forum, update_forum
from cadence.community.services.moderation import (
    handle_report,
    report_post,
    set_answered,
    set_endorsed,
    set_hidden,
    set_locked,
    set_pinned,
)
from cadence.community.services.posting import (
    create_reply,
    create_thread,
    delete_post,
    edit_post,
    mark_forum_read,
    mark_thread_read,
    set_subscription,
    thread_url,
    toggle_vote,
)

__all__ = [
    "Flooding", "ForumInput", "create_forum", "create_reply", "create_thread", "delete_post", "edit_post",
    "ensure_item_forum", "handle_of", "handle_report", "mark_forum_read", "mark_thread_read", "posts_per_minute",
    "report_post", "resolve_mentions", "set_answered", "set_endorsed", "set_hidden", "set_locked", "set_pinned",
    "set_subscription", "thread_url", "toggle_vote", "update_forum",
]  # fmt: skip
