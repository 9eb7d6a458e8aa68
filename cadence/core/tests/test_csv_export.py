"""The one CSV writer and its formula guard."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cadence.core.csv_export import FORMULA_STARTS, csv_lines, csv_response, safe_cell


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("", ""),  # an empty cell stays empty: no lone apostrophe
        (None, ""),
        ("-5", "-5"),  # numbers stay numbers
        ("-0.5", "-0.5"),
        ("+3e2", "+3e2"),
        ("-inf", "'-inf"),  # not a number a spreadsheet reads
        ("plain", "plain"),
        ("a=b", "a=b"),
    ],
)
def test_cells_a_spreadsheet_would_run_get_an_apostrophe(value: object, written: str) -> None:
    assert safe_cell(value) == written


@given(st.text(max_size=30))
def test_no_written_cell_starts_a_formula_unless_it_is_a_number(text: str) -> None:
    cell = safe_cell(text)
    if cell.startswith(FORMULA_STARTS):
        float(cell)  # only numbers keep their sign
    assert cell == text or cell == "'" + text


def test_lines_round_trip_through_a_csv_reader() -> None:
    rows = [["name", "note"], ["=evil", 'line\nbreak, comma "quoted"'], ["", None]]
    text = "".join(csv_lines(rows))
    assert list(csv.reader(io.StringIO(text))) == [
        ["name", "note"],
        ["'=evil", 'line\nbreak, comma "quoted"'],
        ["", ""],
    ]


def test_the_response_streams_an_attachment() -> None:
    response = csv_response(iter([["a"], ["=b"]]), filename="course-gradebook.csv")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="course-gradebook.csv"'
    assert b"".join(response.streaming_content) == b"a\r\n'=b\r\n"
