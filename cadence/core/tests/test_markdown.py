from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cadence.core.markdown import find_active_content, render_markdown

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
    '<svg onload="alert(1)"><circle/></svg>',
    '<a href="#" style="background:url(javascript:alert(1))">x</a>',
    '<div style="width: expression(alert(1))">x</div>',
    "<iframe src=https://example.org></iframe>",
    '<p onclick="alert(1)">unclosed <b>markup',
    "<<script>script>alert(1)<</script>/script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
]
FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "svg",
    "math",
    "style",
    "object",
    "embed",
    "form",
    "input",
    "link",
    "meta",
    "base",
}


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"tag {tag}")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"attribute {name}")
            if name in {"href", "src"} and (value or "").strip().lower().startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                self.problems.append(f"url {value}")


def _problems(html: str) -> list[str]:
    audit = _Audit()
    audit.feed(html)
    return audit.problems


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_output_is_harmless(payload: str):
    assert _problems(render_markdown(payload)) == []


def test_markdown_keeps_the_formatting_teachers_use():
    html = render_markdown(
        "# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- item\n\n`code` and [link](https://example.org)"
    )
    assert "<h1>Title</h1>" in html and "<table>" in html and "<li>item</li>" in html and "<code>code</code>" in html
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer nofollow"' in html


@given(
    st.lists(st.sampled_from([*PAYLOADS, "text ", "<b>", "</b>", "[a](", ")", "<", ">", '"', "'", "\n"]), max_size=12)
)
def test_any_mix_of_payloads_stays_harmless(parts: list[str]):
    assert _problems(render_markdown("".join(parts))) == []


# --- Math ----------------------------------------------------------------------------------------------
def test_inline_and_block_math_become_mathml():
    html = str(render_markdown("The mean is $\\bar{x} = \\frac{1}{n}\\sum x_i$.\n\n$$\\sqrt{a^2+b^2}$$"))
    assert '<span class="math inline"><math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in html
    assert "<mfrac>" in html and "<msqrt>" in html
    assert '<div class="math block">' in html and 'display="block"' in html


def test_dollar_amounts_and_code_stay_text():
    assert str(render_markdown("It costs $5 and $10.")) == "<p>It costs $5 and $10.</p>\n"
    assert "<math" not in str(render_markdown("`$x$` and\n\n```\n$$y$$\n```"))


def test_latex_that_cannot_be_read_is_shown_as_code():
    assert '<code class="math-error">\\frac{</code>' in str(render_markdown("$\\frac{$"))


def test_markup_inside_math_is_only_symbols():
    html = str(render_markdown("$<img src=x onerror=alert(1)>$ and $$<script>alert(1)</script>$$"))
    assert "<img" not in html and "<script" not in html and "onerror=" not in html


def test_math_is_not_active_content_but_raw_mathml_is():
    assert find_active_content("Area: $\\pi r^2$") is None
    found = find_active_content("<math><mi>x</mi></math>")
    assert found is not None and "math" in found.description
