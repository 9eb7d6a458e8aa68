"""Moodle's GIFT question format: read GIFT text into `QuestionDef`s and write them back.

Follows the documented format (https://docs.moodle.org/en/GIFT_format) and what Moodle's own importer
accepts. Reading never raises: every question that cannot be read becomes a `GiftError` naming its
line, so a teacher can fix the file and try again. Writing skips, with a reason, what GIFT cannot say.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

from cadence.assessment.domain.definitions import Option, QuestionDef, QuestionType, Scoring
from cadence.assessment.domain.scoring import parse_number
from cadence.core.text import excerpt

__all__ = ["GiftError", "GiftExport", "GiftParse", "GiftQuestion", "parse_gift", "to_gift"]

ZERO, ONE = Decimal(0), Decimal(1)
BLANK = "_____"  # stands in the text where a "missing word" answer block was
DESCRIPTION_MESSAGE = (
    "This has no answer block {…}; Cadence imports questions only. Add the answers in braces, or remove it."
)
NOT_CLOSED_MESSAGE = "The answer block is not closed: add a “}” (or write \\{ for a literal brace)."

_UNESCAPE = {"\\": "\\", "~": "~", "=": "=", "#": "#", "{": "{", "}": "}", ":": ":", "n": "\n"}
_ESCAPE = str.maketrans({"\\": "\\\\", "~": "\\~", "=": "\\=", "#": "\\#", "{": "\\{", "}": "\\}", ":": "\\:"})
_FORMAT = re.compile(r"\[(?:moodle|html|plain|markdown)\]")  # Moodle's text format markers
_TAG = re.compile(r"\[tag:((?:\\.|[^\]\\])*)\]")
_CONTEXT = re.compile(r"\$[a-z0-9]+\$")  # $course$, $cat1$, $module$, $system$ at the start of a category path
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,4})?")
_WEIGHT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_TRUTH = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_MAX_DIGITS, _MAX_MAGNITUDE = 28, 30  # numbers beyond these are typos, and would not fit the bank


@dataclass(frozen=True)
class GiftError:
    line: int  # 1-based line where the question starts; the message names the line of a problem further down
    question: str  # its title, or the start of its text
    message: str  # what is wrong and how to fix it


@dataclass(frozen=True)
class GiftQuestion:
    line: int
    definition: QuestionDef


@dataclass(frozen=True)
class GiftParse:
    questions: list[GiftQuestion]
    errors: list[GiftError]


@dataclass(frozen=True)
class GiftExport:
    text: str
    skipped: list[tuple[str, str]]  # (title or start of the text, why GIFT cannot hold it)


# --- Reading -------------------------------------------------------------------------------------------
class _Problem(Exception):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class _Chars:
    """Question text with its escapes resolved; each character remembers if it was escaped and its line.

    GIFT's syntax characters count only when not escaped, so every search here skips escaped ones.
    """

    text: str
    literal: tuple[bool, ...]
    lines: tuple[int, ...]
    line: int  # the line of the first character (or where an empty slice sits)

    @classmethod
    def read(cls, rows: Sequence[tuple[int, str]]) -> _Chars:
        text: list[str] = []
        literal: list[bool] = []
        lines: list[int] = []
        for k, (number, row) in enumerate(rows):
            if k:
                text.append("\n")
                literal.append(False)
                lines.append(number)
            i = 0
            while i < len(row):
                escaped = row[i] == "\\" and i + 1 < len(row) and row[i + 1] in _UNESCAPE
                text.append(_UNESCAPE[row[i + 1]] if escaped else row[i])
                literal.append(escaped)
                lines.append(number)
                i += 2 if escaped else 1
        return cls("".join(text), tuple(literal), tuple(lines), rows[0][0])

    @classmethod
    def plain(cls, text: str, line: int) -> _Chars:
        return cls(text, (False,) * len(text), (line,) * len(text), line)

    def __add__(self, other: _Chars) -> _Chars:
        return _Chars(self.text + other.text, self.literal + other.literal, self.lines + other.lines, self.line)

    def cut(self, start: int, end: int | None = None) -> _Chars:
        stop = len(self.text) if end is None else end
        line = self.lines[start] if start < len(self.lines) else (self.lines[-1] if self.lines else self.line)
        return _Chars(self.text[start:stop], self.literal[start:stop], self.lines[start:stop], line)

    def find(self, sub: str, start: int = 0) -> int:
        i = self.text.find(sub, start)
        while i >= 0 and any(self.literal[i : i + len(sub)]):
            i = self.text.find(sub, i + 1)
        return i

    def rfind(self, sub: str) -> int:
        i = self.text.rfind(sub)
        while i >= 0 and any(self.literal[i : i + len(sub)]):
            i = self.text.rfind(sub, 0, i + len(sub) - 1)
        return i

    def starts(self, prefix: str) -> bool:
        return self.text.startswith(prefix) and not any(self.literal[: len(prefix)])

    def strip(self) -> _Chars:
        """Trim whitespace, but keep escaped newlines (`\\n`) as the writer meant them."""
        start, end = 0, len(self.text)
        while start < end and self.text[start].isspace() and not self.literal[start]:
            start += 1
        while end > start and self.text[end - 1].isspace() and not self.literal[end - 1]:
            end -= 1
        return self.cut(start, end)

    @property
    def blank(self) -> bool:
        return not self.strip().text

    def split(self, markers: str) -> list[tuple[str, _Chars]]:
        """Pieces between unescaped marker characters, each with the marker before it ("" for the first)."""
        pieces: list[tuple[str, _Chars]] = []
        marker, start = "", 0
        for i, char in enumerate(self.text):
            if char in markers and not self.literal[i]:
                pieces.append((marker, self.cut(start, i)))
                marker, start = char, i + 1
        pieces.append((marker, self.cut(start)))
        return pieces


@dataclass(frozen=True)
class _Block:
    rows: list[tuple[int, str]]  # (line number, line) without comment lines
    tags: tuple[str, ...]


def parse_gift(text: str) -> GiftParse:
    """Every question GIFT `text` holds, and an error for each one that cannot be read."""
    questions: list[GiftQuestion] = []
    errors: list[GiftError] = []
    category = ""
    for block in _blocks(text):
        if isinstance(block, str):
            category = block
            continue
        start = block.rows[0][0]
        chars = _Chars.read(block.rows)
        try:
            definition = _read_question(chars, category=category, tags=block.tags)
        except _Problem as problem:
            where = "" if problem.line in (None, start) else f"On line {problem.line}: "
            errors.append(GiftError(start, _name(chars), where + problem.message))
        else:
            questions.append(GiftQuestion(start, definition))
    return GiftParse(questions, errors)


def _blocks(text: str) -> Iterator[_Block | str]:
    """Questions (blank-line separated) and, as plain strings, the categories that switch between them."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    rows: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):  # not splitlines(): GIFT breaks lines on \n only
        stripped = line.strip()
        if stripped and not stripped.startswith("$CATEGORY:"):
            rows.append((number, line))
            continue
        yield from _flush(rows)
        rows = []
        if stripped:
            yield _category_name(stripped.removeprefix("$CATEGORY:"))
    yield from _flush(rows)


def _flush(rows: Sequence[tuple[int, str]]) -> Iterator[_Block]:
    comments = [line for _, line in rows if line.lstrip().startswith("//")]
    content = [(number, line) for number, line in rows if not line.lstrip().startswith("//")]
    if content:  # a block of comments alone is not a question
        yield _Block(content, _tags(comments))


def _tags(comments: Iterable[str]) -> tuple[str, ...]:
    """Moodle writes a question's tags as `// [tag:name]` comments just before it."""
    found: list[str] = []
    for comment in comments:
        for raw in _TAG.findall(comment):
            tag = re.sub(r"\\(.)", r"\1", raw).strip().lower()
            if tag and tag not in found:
                found.append(tag)
    return tuple(found)


def _category_name(path: str) -> str:
    """The last segment of a Moodle category path ("$course$/top/Week 1" → "Week 1"); "//" is a literal "/"."""
    segments, current, i = [], "", 0
    path = path.strip()
    while i < len(path):
        if path.startswith("//", i):
            current, i = current + "/", i + 2
        elif path[i] == "/":
            segments.append(current.strip())
            current, i = "", i + 1
        else:
            current, i = current + path[i], i + 1
    segments.append(current.strip())
    if segments and _CONTEXT.fullmatch(segments[0]):
        segments = segments[1:]
    if segments and segments[0] == "top":
        segments = segments[1:]
    segments = [s for s in segments if s]
    return segments[-1] if segments else ""


def _read_question(chars: _Chars, *, category: str, tags: tuple[str, ...]) -> QuestionDef:
    chars = chars.strip()
    title = ""
    if chars.starts("::"):
        end = chars.find("::", 2)
        if end < 0:
            raise _Problem("The title is not closed: end it with “::” (write \\: for a colon inside it).")
        title = chars.cut(2, end).strip().text
        chars = chars.cut(end + 2).strip()
    opening, closing = chars.find("{"), chars.find("}")
    if opening < 0 and closing < 0:
        raise _Problem(DESCRIPTION_MESSAGE)
    if opening < 0 or 0 <= closing < opening:
        raise _Problem("There is a “}” without a “{” before it: write \\} for a literal brace.", chars.lines[closing])
    nested = chars.find("{", opening + 1)
    if closing < 0 or 0 <= nested < closing:
        raise _Problem(NOT_CLOSED_MESSAGE, chars.lines[opening])
    after = chars.cut(closing + 1)
    if after.find("{") >= 0:
        raise _Problem(
            "There is a second answer block: Cadence reads one per question (write \\{ for a literal brace).",
            after.lines[after.find("{")],
        )
    if after.find("}") >= 0:
        raise _Problem("There is a “}” without a “{” before it: write \\} for a literal brace.", after.line)
    before = chars.cut(0, opening)
    # Text after the block makes a "missing word" question: the blank marks where the answer goes.
    text = _plain(before if after.blank else before + _Chars.plain(BLANK, after.line) + after)
    if not text.strip():  # an escaped \n alone is no text either
        raise _Problem("The question has no text: write it before the answer block.")
    qtype, options, general = _read_answers(chars.cut(opening + 1, closing))
    return QuestionDef(
        qtype=qtype,
        text=text,
        options=options,
        title=title,
        general_feedback=general,
        category=category,
        tags=tags,
    )


def _read_answers(block: _Chars) -> tuple[QuestionType, tuple[Option, ...], str]:
    general = ""
    cut = block.rfind("####")  # the last one, as Moodle does
    if cut >= 0:
        general = _plain(block.cut(cut + 4))
        block = block.cut(0, cut)
    block = block.strip()
    # The same order of checks as Moodle's importer, so a file reads the same in both.
    if not block.text:
        return QuestionType.ESSAY, (), general
    if block.starts("#"):
        return QuestionType.NUMERIC, _numeric(block.cut(1)), general
    if block.find("~") >= 0:
        qtype, options = _choices(block)
        return qtype, options, general
    if block.find("=") >= 0 and block.find("->") >= 0:
        return QuestionType.MATCHING, _pairs(block), general
    if block.find("=") >= 0:
        return QuestionType.SHORT, _accepted(block), general
    return QuestionType.TRUE_FALSE, _true_false(block), general


def _answers(block: _Chars, markers: str) -> list[tuple[str, _Chars]]:
    """The answers in a block with the marker each starts with; nothing but space may come before the first."""
    (_, lead), *answers = block.split(markers)
    junk = lead.strip().text
    if junk:
        if junk.split("#")[0].strip().upper() in _TRUTH:
            message = "The answer block mixes true/false with other answers: write T or F alone, or only answers."
        else:
            message = f"“{_snippet(junk, 30)}” comes before the first answer: start every answer with “=” or “~”."
        raise _Problem(message, lead.strip().line)
    return answers


def _choices(block: _Chars) -> tuple[QuestionType, tuple[Option, ...]]:
    pieces = _answers(block, "=~")
    if len(pieces) < 2:
        raise _Problem("A multiple-choice question needs at least two choices, each starting with “=” or “~”.")
    options: list[Option] = []
    weighted = False
    for marker, body in pieces:
        weight, body = _weight(body)
        weighted = weighted or (weight is not None and marker == "~")
        text, feedback = _with_feedback(body)
        default = ONE if marker == "=" else ZERO
        options.append(Option(text, default if weight is None else weight, feedback))
    if any(marker == "=" for marker, _ in pieces):
        return QuestionType.SINGLE, tuple(options)
    if weighted:  # no "=" but weights: Moodle's "multiple answers" question
        return QuestionType.MULTIPLE, tuple(options)
    raise _Problem("No choice is marked right: start the right choice with “=”, or give choices weights like ~%50%.")


def _accepted(block: _Chars) -> tuple[Option, ...]:
    options: list[Option] = []
    for _, body in _answers(block, "="):
        weight, body = _weight(body)
        text, feedback = _with_feedback(body)
        options.append(Option(text, ONE if weight is None else weight, feedback))
    return tuple(options)


def _pairs(block: _Chars) -> tuple[Option, ...]:
    answers = [body for _, body in _answers(block, "=")]
    if len(answers) < 2:
        raise _Problem("A matching question needs at least two pairs, each written as =left -> right.")
    options: list[Option] = []
    for body in answers:
        arrow = body.find("->")
        if arrow < 0:
            raise _Problem(
                f"The pair “{_snippet(body.strip().text, 30)}” has no “->”: write matching pairs as =left -> right.",
                body.strip().line,
            )
        left, right = _plain(body.cut(0, arrow)), body.cut(arrow + 2).strip().text
        if not left.strip():
            raise _Problem(
                f"The pair “-> {_snippet(right, 30)}” has no left side: Cadence has no extra right-hand answers.",
                body.line,
            )
        if not right.strip():
            raise _Problem(f"The pair “{_snippet(left, 30)}” has nothing after “->”: write its match.", body.line)
        options.append(Option(left, ONE, match=right))
    return tuple(options)


def _true_false(block: _Chars) -> tuple[Option, ...]:
    parts = [chars for _, chars in block.split("#")]
    truth = _TRUTH.get(parts[0].strip().text.upper())
    if truth is None:
        raise _Problem(
            f"Cannot read the answer block “{_snippet(block.text, 30)}”: start each answer with “=” (right or "
            "accepted) or “~” (wrong), or write T or F for a true/false question."
        )
    if len(parts) > 3:
        raise _Problem("A true/false answer takes at most two feedbacks, {T#if wrong#if right}: write \\# for a #.")
    wrong = _plain(parts[1]) if len(parts) > 1 else ""
    right = _plain(parts[2]) if len(parts) > 2 else ""
    # The first feedback is for a learner who answered wrong, i.e. who chose the option that is not right.
    true_feedback, false_feedback = (right, wrong) if truth else (wrong, right)
    return (
        Option("True", ONE if truth else ZERO, true_feedback),
        Option("False", ZERO if truth else ONE, false_feedback),
    )


def _numeric(body: _Chars) -> tuple[Option, ...]:
    if body.find("~") >= 0:
        raise _Problem(
            "Cadence cannot read “~” in a numeric answer block (feedback for any other answer): remove it, "
            "or move its text to the general feedback after “####”.",
            body.lines[body.find("~")],
        )
    (_, first), *rest = body.split("=")
    answers = ([] if first.blank else [first]) + [chars for _, chars in rest]
    if not answers:
        raise _Problem("The numeric answer block has no answer: write one like {#3.14:0.01}.")
    options: list[Option] = []
    for chars in answers:
        weight, chars = _weight(chars)
        hash_at = chars.find("#")  # the block's leading "#" is gone: any "#" now starts feedback
        spec = (chars.cut(0, hash_at) if hash_at >= 0 else chars).strip().text
        feedback = _plain(chars.cut(hash_at + 1)) if hash_at >= 0 else ""
        value, tolerance = _numeric_value(spec, chars.line)
        options.append(Option(_decimal_text(value), ONE if weight is None else weight, feedback, tolerance=tolerance))
    return tuple(options)


def _numeric_value(spec: str, line: int) -> tuple[Decimal, Decimal]:
    """`value`, `value:tolerance` or `low..high` → (value, tolerance)."""
    if not spec:
        raise _Problem("A numeric answer is empty: write a number like 3.14 or 3.14:0.01 after “=”.", line)
    with localcontext(prec=2 * _MAX_DIGITS + 4):  # exact arithmetic for any number _number accepts
        if ".." in spec:
            low_text, high_text = spec.split("..", 1)
            low, high = _number(low_text, line), _number(high_text, line)
            if high < low:
                raise _Problem(
                    f"The range “{_snippet(spec, 30)}” runs backwards: write the smaller number first.", line
                )
            return (low + high) / 2, (high - low) / 2
        if ":" in spec:
            value_text, tolerance_text = spec.split(":", 1)
            value, tolerance = _number(value_text, line), _number(tolerance_text, line)
            if tolerance < 0:
                raise _Problem(
                    f"The tolerance in “{_snippet(spec, 30)}” is negative: write how far off is allowed.", line
                )
            return value, tolerance
        return _number(spec, line), ZERO


def _number(text: str, line: int) -> Decimal:
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        raise _Problem(
            f"“{_snippet(text, 30)}” is not a number: write numeric answers like 3.14, 3.14:0.01 or 3..4.", line
        )
    value = Decimal(text)
    if not _fits(value):
        raise _Problem(f"“{_snippet(text, 30)}” is too long a number: use at most {_MAX_DIGITS} digits.", line)
    return value


def _fits(value: Decimal) -> bool:
    """Finite, with at most _MAX_DIGITS digits and not too far from 1 (keeps the arithmetic exact and cheap)."""
    if not value.is_finite():
        return False
    return len(value.as_tuple().digits) <= _MAX_DIGITS and (value.is_zero() or abs(value.adjusted()) <= _MAX_MAGNITUDE)


def _decimal_text(value: Decimal) -> str:
    """3.140 → "3.14", 1E+3 → "1000", -0 → "0"."""
    if value.is_zero():
        return "0"
    with localcontext(prec=2 * _MAX_DIGITS + 4):
        return format(value.normalize(), "f")


def _weight(body: _Chars) -> tuple[Decimal | None, _Chars]:
    """A leading `%50%` → (Decimal("0.5"), the rest); no weight → (None, body)."""
    body = body.strip()
    if not body.starts("%"):
        return None, body
    end = body.find("%", 1)
    if end < 0:
        raise _Problem(
            f"The weight “{_snippet(body.text, 20)}” has no closing “%”: write weights like %50%.", body.line
        )
    raw = body.cut(1, end).text.strip()
    percent = Decimal(raw) if _WEIGHT.fullmatch(raw) else None
    if percent is None or not -100 <= percent <= 100:
        raise _Problem(
            f"The weight “%{_snippet(raw, 20)}%” is not a number between -100 and 100: write it like %50% or %-25%.",
            body.line,
        )
    if percent != percent.quantize(Decimal("0.00001")):
        raise _Problem(f"The weight “%{raw}%” has more than 5 decimal places: round it.", body.line)
    return percent.scaleb(-2), body.cut(end + 1)


def _with_feedback(body: _Chars) -> tuple[str, str]:
    """`text#feedback` → (text, feedback); the text must not be empty."""
    hash_at = body.find("#")
    text = _plain(body.cut(0, hash_at) if hash_at >= 0 else body)
    if not text.strip():
        raise _Problem("An answer is empty: write its text after the “=” or “~”.", body.line)
    return text, (_plain(body.cut(hash_at + 1)) if hash_at >= 0 else "")


def _plain(chars: _Chars) -> str:
    """Trimmed text without a leading format marker. The text is Markdown for Cadence; [html] passes as it is
    (sanitised on display), [plain] and [moodle] text is mostly valid Markdown as well."""
    chars = chars.strip()
    marker = _FORMAT.match(chars.text)
    return (chars.cut(marker.end()).strip() if marker else chars).text


def _name(chars: _Chars) -> str:
    """The question's title, or the start of its text, to name it in an error (never fails)."""
    chars = chars.strip()
    if chars.starts("::"):
        end = chars.find("::", 2)
        title = chars.cut(2, end).strip().text if end >= 0 else ""
        if title:
            return title
        chars = chars.cut(end + 2 if end >= 0 else 2)
    brace = chars.find("{")
    return _snippet(_plain(chars.cut(0, brace) if brace >= 0 else chars) or chars.text)


def _snippet(text: str, length: int = 60) -> str:
    return excerpt(text, length)


# --- Writing -------------------------------------------------------------------------------------------
def to_gift(questions: Iterable[QuestionDef]) -> GiftExport:
    """GIFT text for the questions GIFT can express; the others are listed in `skipped` with the reason."""
    chunks: list[str] = []
    skipped: list[tuple[str, str]] = []
    category = ""
    for question in questions:
        reason = _unwritable(question)
        if reason:
            skipped.append((question.title or _snippet(question.text), reason))
            continue
        if question.category != category:
            chunks.append(f"$CATEGORY: {_category_path(question.category)}")  # a block of its own, as Moodle wants
            category = question.category
        chunks.append(_write_question(question))
    return GiftExport("\n\n".join(chunks) + "\n" if chunks else "", skipped)


def _write_question(question: QuestionDef) -> str:
    lines: list[str] = []
    if question.tags:
        lines.append("// " + " ".join(f"[tag:{_escape_tag(tag)}]" for tag in question.tags))
    # Cadence text is Markdown; saying so also keeps a text that starts with "[html]" from losing it.
    head = (f"::{_escape(question.title)}::" if question.title else "") + "[markdown]"
    block = _WRITERS[question.qtype](question)
    before, after = _missing_word(question.text)
    lines.append(head + _escape(before) + ("" if after else " ") + block + _escape(after))
    return "\n".join(lines)


def _missing_word(text: str) -> tuple[str, str]:
    """Put the answer block where the text's first blank is, when some text follows it (else at the end)."""
    at = text.find(BLANK)
    if at >= 0:
        after = text[at + len(BLANK) :]
        if any(char in "\r\n" or not char.isspace() for char in after):
            return text[:at], after
    return text, ""


def _escape(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_ESCAPE).replace("\n", "\\n")


def _guard(escaped: str) -> str:
    """Keep an answer that starts like a weight ("%…") or a format marker from being read as one."""
    return "[markdown]" + escaped if escaped.startswith("%") or _FORMAT.match(escaped) else escaped


def _text(text: str) -> str:
    return _guard(_escape(text))


def _feedback(feedback: str) -> str:
    return "#" + _text(feedback) if feedback.strip() else ""


def _escape_tag(tag: str) -> str:
    return " ".join(tag.replace("\\", "\\\\").replace("]", "\\]").split())


def _category_path(name: str) -> str:
    if not name:
        return "$course$/top"
    path = name.replace("/", "//")
    # A name that reads as a path prefix ("top", "$course$") goes below "top" to stay a name.
    return path if _category_name(path) == name else "top/" + path


def _percent(fraction: Decimal) -> str:
    return _decimal_text(fraction.scaleb(2))


def _answer_block(rows: Sequence[str], general_feedback: str, opening: str = "{") -> str:
    """One answer a line, as Moodle writes them; general feedback last, before the closing brace."""
    lines = [opening, *(f"\t{row}" for row in rows)]
    if general_feedback.strip():
        lines.append(f"\t####{_text(general_feedback)}")
    return "\n".join([*lines, "}"])


def _write_choices(question: QuestionDef) -> str:
    rows: list[str] = []
    right_written = False
    for option in question.options:
        # Only one "=": further full-credit choices become ~%100%, so the block always has a "~".
        if question.qtype == QuestionType.SINGLE and option.fraction == ONE and not right_written:
            marker, right_written = "=", True
        elif question.qtype == QuestionType.MULTIPLE or option.fraction != 0:
            marker = f"~%{_percent(option.fraction)}%"  # always weighted: a weight is what makes it multiple
        else:
            marker = "~"
        rows.append(marker + _text(option.text) + _feedback(option.feedback))
    return _answer_block(rows, question.general_feedback)


def _write_true_false(question: QuestionDef) -> str:
    true, false = question.options
    truth = true.fraction == ONE
    right, wrong = (true.feedback, false.feedback) if truth else (false.feedback, true.feedback)
    feedback = ("#" + _text(wrong) if wrong.strip() else "#" if right.strip() else "") + _feedback(right)
    general = "####" + _text(question.general_feedback) if question.general_feedback.strip() else ""
    return "{" + ("TRUE" if truth else "FALSE") + feedback + general + "}"


def _write_short(question: QuestionDef) -> str:
    rows = [
        "=" + ("" if o.fraction == ONE else f"%{_percent(o.fraction)}%") + _text(o.text) + _feedback(o.feedback)
        for o in question.options
    ]
    return _answer_block(rows, question.general_feedback)


def _write_numeric(question: QuestionDef) -> str:
    rows = []
    for option in question.options:
        value = parse_number(option.text)
        assert value is not None  # _unwritable skipped the question otherwise
        weight = "" if option.fraction == ONE else f"%{_percent(option.fraction)}%"
        rows.append(f"={weight}{_decimal_text(value)}:{_decimal_text(option.tolerance)}" + _feedback(option.feedback))
    return _answer_block(rows, question.general_feedback, opening="{#")


def _write_matching(question: QuestionDef) -> str:
    rows = [f"={_text(o.text)} -> {_escape(o.match)}" for o in question.options]
    return _answer_block(rows, question.general_feedback)


def _write_essay(question: QuestionDef) -> str:
    return "{" + ("####" + _text(question.general_feedback) if question.general_feedback.strip() else "") + "}"


_WRITERS: dict[QuestionType, Callable[[QuestionDef], str]] = {
    QuestionType.SINGLE: _write_choices,
    QuestionType.MULTIPLE: _write_choices,
    QuestionType.TRUE_FALSE: _write_true_false,
    QuestionType.SHORT: _write_short,
    QuestionType.NUMERIC: _write_numeric,
    QuestionType.MATCHING: _write_matching,
    QuestionType.ESSAY: _write_essay,
}


def _unwritable(question: QuestionDef) -> str | None:
    """Why GIFT cannot hold this question without losing something (None when it can)."""
    kind, options = question.qtype, question.options
    if kind == QuestionType.ORDERING:
        return "GIFT cannot express ordering questions"
    if not question.text.strip():
        return "The question has no text"
    if kind in (QuestionType.MULTIPLE, QuestionType.MATCHING) and question.scoring == Scoring.ALL_OR_NOTHING:
        return "GIFT cannot express all-or-nothing scoring (Moodle gives partial credit)"
    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.MATCHING) and len(options) < 2:
        return "GIFT needs at least two answers for this type of question"
    weighted = (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.SHORT, QuestionType.NUMERIC)
    if kind in weighted and not all(_writable_fraction(o.fraction) for o in options):
        return "A credit is not between -100 % and 100 % with at most 5 decimal places, so GIFT cannot weight it"
    return _TYPE_CHECKS.get(kind, _nothing)(question)


def _writable_fraction(fraction: Decimal) -> bool:
    return fraction.is_finite() and -1 <= fraction <= 1 and fraction == fraction.quantize(Decimal("1e-7"))


def _nothing(question: QuestionDef) -> str | None:
    return None


def _check_choices(question: QuestionDef) -> str | None:
    if any(not o.text.strip() for o in question.options):
        return "An answer has no text"
    if question.qtype == QuestionType.SINGLE and not any(o.fraction == ONE for o in question.options):
        return "GIFT marks the right choice with “=” (100 %), and no choice is fully right"
    return None


def _check_true_false(question: QuestionDef) -> str | None:
    texts = [o.text for o in question.options]
    if texts != ["True", "False"] or sorted(o.fraction for o in question.options) != [ZERO, ONE]:
        return "A true/false question needs the options True and False, one of them right"
    return None


def _check_short(question: QuestionDef) -> str | None:
    options = question.options
    if any(o.is_regex for o in options):
        return "GIFT cannot express regular-expression answers"
    if question.case_sensitive:
        return "GIFT cannot express case-sensitive short answers"
    if not options or any(not o.text.strip() for o in options):
        return "A short-answer question needs accepted answers with text"
    if any("->" in o.text or "->" in o.feedback for o in options):
        return "GIFT would read “->” in a short answer as a matching pair"
    return None


def _check_numeric(question: QuestionDef) -> str | None:
    if question.tolerance_relative:
        return "GIFT cannot express a relative tolerance (only an absolute one)"
    if not question.options:
        return "A numeric question needs an accepted value"
    for option in question.options:
        value = parse_number(option.text)
        if value is None or not _fits(value):
            return f"“{_snippet(option.text, 30)}” is not a number GIFT can hold"
        if not _fits(option.tolerance) or option.tolerance < 0:
            return f"The tolerance {option.tolerance} of “{_snippet(option.text, 30)}” is not a number GIFT can hold"
    return None


def _check_matching(question: QuestionDef) -> str | None:
    options = question.options
    if any(not o.text.strip() or not o.match.strip() for o in options):
        return "Every matching pair needs both sides"
    if any("->" in o.text for o in options):
        return "GIFT cannot express “->” in the left side of a matching pair"
    if any(o.feedback.strip() for o in options):
        return "GIFT cannot express feedback on matching pairs"
    return None


_TYPE_CHECKS: dict[QuestionType, Callable[[QuestionDef], str | None]] = {
    QuestionType.SINGLE: _check_choices,
    QuestionType.MULTIPLE: _check_choices,
    QuestionType.TRUE_FALSE: _check_true_false,
    QuestionType.SHORT: _check_short,
    QuestionType.NUMERIC: _check_numeric,
    QuestionType.MATCHING: _check_matching,
}
