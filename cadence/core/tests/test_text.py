from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cadence.core.text import excerpt


def test_a_short_text_is_kept_on_one_line() -> None:
    assert excerpt("  two\n\nlines\t here ", 40) == "two lines here"


def test_a_long_text_is_cut_with_an_ellipsis_within_the_limit() -> None:
    assert excerpt("The quick brown fox jumps", 10) == "The quick…"


def test_a_combining_accent_is_not_split_from_its_letter() -> None:
    text = "cafe\u0301 au lait"  # "café" with a combining acute accent
    assert excerpt(text, 5) == "caf\u00e9…"  # kept with its letter (a slice kept "cafe…")


@given(st.text(alphabet=st.characters(codec="ascii"), max_size=200), st.integers(2, 80))
def test_an_excerpt_never_exceeds_its_limit_and_keeps_the_start(text: str, limit: int) -> None:
    flat = " ".join(text.split())
    cut = excerpt(text, limit)
    assert len(cut) <= limit
    assert cut == flat or (cut.endswith("…") and flat.startswith(cut[:-1]))
