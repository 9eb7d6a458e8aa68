"""Markdown to safe HTML: markdown-it-py renders, nh3 sanitises. Never render user HTML unsanitised."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre",
    "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align", "scope"},
    "code": {"class"},
    "ol": {"start"},
}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # "commonmark" plus tables and strikethrough; raw HTML is passed through only to be sanitised.
    return MarkdownIt("commonmark", {"html": True, "linkify": False}).enable(["table", "strikethrough"])


def render_markdown(source: str) -> SafeString:
    html = _parser().render(source or "")
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


_INLINE_TAGS = {"a", "abbr", "b", "br", "code", "del", "em", "i", "kbd", "s", "span", "strong", "sub", "sup"}


def render_inline_markdown(source: str) -> SafeString:
    """One line of Markdown (emphasis, code, links) without a surrounding paragraph; sanitised like the rest."""
    html = _parser().renderInline(source or "")
    clean = nh3.clean(
        html,
        tags=_INLINE_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


# Elements that run or load active content; the sanitiser drops them, but an author should hear about it.
_ACTIVE_TAGS = frozenset(
    {
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "svg",
        "math",
        "base",
        "meta",
        "link",
    }
)
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"})
_ACTIVE_SCHEMES = ("javascript:", "vbscript:", "data:")


class _ActiveContentFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []  # (what to tell the author, text to look for in the source)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _ACTIVE_TAGS:
            self.found.append((f"the <{tag}> element", f"<{tag}"))
        for name, value in attrs:
            compact = "".join(ch for ch in (value or "") if ch > " ").lower()
            if name.startswith("on"):
                self.found.append((f"the “{name}” event handler on <{tag}>", name))
            elif name in _URL_ATTRIBUTES and compact.startswith(_ACTIVE_SCHEMES):
                scheme = compact.split(":", 1)[0]
                self.found.append((f"the {scheme}: address in <{tag} {name}>", f"{scheme}:"))
            elif name == "style" and ("expression(" in compact or "javascript:" in compact):
                self.found.append((f"the script in the style of <{tag}>", "style"))


@dataclass(frozen=True)
class ActiveContent:
    description: str
    line: int | None


def find_active_content(source: str) -> ActiveContent | None:
    """The first script, event handler or script address in Markdown's HTML, with its line in the source.

    Code spans and blocks are text, not HTML, so a lesson may still show `<script>` as an example.
    """
    finder = _ActiveContentFinder()
    finder.feed(_parser().render(source or ""))
    finder.close()
    if not finder.found:
        return None
    description, needle = finder.found[0]
    at = (source or "").lower().find(needle.lower())
    return ActiveContent(description, source.count("\n", 0, at) + 1 if at >= 0 else None)
