"""Markdown to safe HTML: markdown-it-py renders, nh3 sanitises. Never render user HTML unsanitised.

Math is written as LaTeX between dollars (`$x^2$` inline, `$$\\frac{a}{b}$$` as a block) and turned into
MathML on the server (latex2mathml), which browsers draw and screen readers read without any script.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from latex2mathml.converter import convert as latex_to_mathml
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre",
    "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_MATHML_TAGS = {
    "math", "mi", "mn", "mo", "ms", "mspace", "mtext", "mrow", "mfrac", "msqrt", "mroot", "mstyle", "merror",
    "mpadded", "mphantom", "msub", "msup", "msubsup", "munder", "mover", "munderover", "mmultiscripts",
    "mprescripts", "none", "mtable", "mtr", "mtd", "menclose", "semantics", "annotation",
}  # fmt: skip
_MATHML_ATTRIBUTES = {
    "math": {"display", "xmlns"},
    "mi": {"mathvariant"},
    "mo": {"stretchy", "fence", "separator", "lspace", "rspace", "form", "largeop", "movablelimits", "accent"},
    "mstyle": {"displaystyle", "scriptlevel", "mathvariant"},
    "mspace": {"width", "height", "depth"},
    "mtable": {"columnalign", "rowspacing", "columnspacing", "columnlines", "rowlines"},
    "mtd": {"columnspan", "rowspan", "columnalign"},
    "mover": {"accent"},
    "munder": {"accentunder"},
    "mfrac": {"linethickness"},
    "menclose": {"notation"},
    "annotation": {"encoding"},
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align", "scope"},
    "code": {"class"},
    "ol": {"start"},
}


# Math is rendered in two steps so that only MathML made by latex2mathml is ever allowed: the Markdown renderer
# leaves a marked placeholder holding the LaTeX, the page is sanitised without any MathML allowed (an
# author's own <math> is dropped), then each placeholder becomes MathML, sanitised with MathML allowed.
_MATH_OPEN, _MATH_CLOSE = "\ue010", "\ue011"
_PLACEHOLDER = re.compile(f"{_MATH_OPEN}([bi])(.*?){_MATH_CLOSE}", re.DOTALL)


def _math_placeholder(latex: str, options: dict[str, object]) -> str:
    return f"{_MATH_OPEN}{'b' if options.get('display_mode') else 'i'}{escape(latex)}{_MATH_CLOSE}"


def _math_as_text(latex: str, options: dict[str, object]) -> str:
    return str(escape(latex))


def _mathml(match: re.Match[str]) -> str:
    latex = html.unescape(match.group(2))
    try:
        mathml = latex_to_mathml(latex, display="block" if match.group(1) == "b" else "inline")
    except Exception:  # any parse failure of the author's LaTeX: show it, do not fail the page
        return f'<code class="math-error">{escape(latex)}</code>'
    return nh3.clean(mathml, tags=_MATHML_TAGS, attributes=_MATHML_ATTRIBUTES, url_schemes=set())


@lru_cache(maxsize=2)
def _parser(*, math: bool = True) -> MarkdownIt:
    # "commonmark" plus tables, strikethrough and $math$; raw HTML is passed through only to be sanitised.
    # "$5 and $10" stays text: no space may follow an opening dollar, nor a digit follow a closing one.
    md = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable(["table", "strikethrough"])
    return md.use(
        dollarmath_plugin,
        allow_labels=False,
        allow_space=False,
        allow_digits=False,
        double_inline=True,
        renderer=_math_placeholder if math else _math_as_text,
    )


def render_markdown(source: str) -> SafeString:
    source = (source or "").replace(_MATH_OPEN, "").replace(_MATH_CLOSE, "")
    clean = nh3.clean(
        _parser().render(source),
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        allowed_classes={"span": {"math", "inline"}, "div": {"math", "inline", "block"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(_PLACEHOLDER.sub(_mathml, clean))  # noqa: S308 - sanitised by nh3, each part


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

    Code spans and blocks are text, not HTML, so a lesson may still show `<script>` as an example; $math$ is
    looked at as the text it is, since only our own renderer turns it into MathML.
    """
    finder = _ActiveContentFinder()
    finder.feed(_parser(math=False).render(source or ""))
    finder.close()
    if not finder.found:
        return None
    description, needle = finder.found[0]
    at = (source or "").lower().find(needle.lower())
    return ActiveContent(description, source.count("\n", 0, at) + 1 if at >= 0 else None)
