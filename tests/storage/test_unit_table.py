"""A units file as Excel and other programs save it, read into numbered rows."""

from __future__ import annotations

import codecs

import pytest

from storage.unit_table import Table, UnreadableFile, read_table
from tests.support.unit_files import windows_1258, workbook

LINES = ["Tên đơn vị,Loại", "Thôn Đông,thôn", '"Trung tâm Văn hóa, Thể thao",trung tâm']
ROWS = [
    (1, ["Tên đơn vị", "Loại"]),
    (2, ["Thôn Đông", "thôn"]),
    (3, ["Trung tâm Văn hóa, Thể thao", "trung tâm"]),
]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("\n".join(LINES).encode(), "UTF-8"),
        (codecs.BOM_UTF8 + "\r\n".join(LINES).encode(), "UTF-8"),
        (windows_1258("\r\n".join(LINES)), "Windows-1258"),
        ("\r\n".join(LINES).encode("utf-16"), "UTF-16"),
    ],
)
def test_the_encoding_is_found_and_named(data, encoding):
    """Excel's 'CSV UTF-8' (with BOM), plain 'CSV' on Vietnamese Windows (Windows-1258) and
    'Unicode Text' (UTF-16) give the same cells, accents composed, and the import says which
    encoding it was."""
    table = read_table(data)
    assert table.described == f"CSV in {encoding}, separated by commas"
    assert table.rows == ROWS


@pytest.mark.parametrize(
    ("separator", "named"), [(";", "semicolons"), ("\t", "tabs"), (",", "commas")]
)
def test_the_separator_is_found_on_the_first_line(separator, named):
    """Where the comma is the decimal mark, Excel separates cells with semicolons; 'Text' is
    tab-separated. Commas inside names stay in the name."""
    lines = [
        separator.join(["STT", "Tên đơn vị", "Loại"]),
        separator.join(["1", "Thôn Đông", "thôn"]),
        separator.join(["2", '"Trung tâm Văn hóa, Thể thao"', "trung tâm"]),
    ]
    table = read_table("\n".join(lines).encode())
    assert table.described == f"CSV in UTF-8, separated by {named}"
    assert table.rows == [
        (1, ["STT", "Tên đơn vị", "Loại"]),
        (2, ["1", "Thôn Đông", "thôn"]),
        (3, ["2", "Trung tâm Văn hóa, Thể thao", "trung tâm"]),
    ]


def test_rows_are_numbered_as_an_editor_shows_the_lines():
    """Blank lines count; a quoted name over two lines is numbered where it starts."""
    text = 'name,kind\n\n"Thôn\nĐông",village\nThôn Tây,village\n'
    assert read_table(text.encode()).rows == [
        (1, ["name", "kind"]),
        (2, []),
        (3, ["Thôn\nĐông", "village"]),
        (5, ["Thôn Tây", "village"]),
    ]


def test_a_workbook_is_read_from_its_first_sheet():
    """An .xlsx, whatever the file is called, is told apart by its content; rows are 'rows'."""
    table = read_table(workbook({"Danh sách": [["Tên đơn vị", "Loại"], ["Thôn Đông", "thôn"]]}))
    assert table == Table(
        [(1, ["Tên đơn vị", "Loại"]), (2, ["Thôn Đông", "thôn"])], "XLSX, sheet 'Danh sách'", "row"
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500),
            "an Excel 97-2003 workbook (.xls); save it as .xlsx or CSV UTF-8",
        ),
        (b"%PDF-1.4\x00\x01\x02", "not a text file; save the list as CSV UTF-8 or .xlsx"),
        (
            b"name,kind\n\x81\x8a,village\n",
            "the file is neither UTF-8 nor Windows-1258 text; save it as CSV UTF-8",
        ),
        (workbook({"A": [["x"]]})[:100], "the workbook is damaged (not a complete .xlsx file)"),
    ],
)
def test_files_that_are_not_a_list_are_refused(data, reason):
    """An old .xls, a PDF, bytes no code page has, a cut-off workbook: each says what to do."""
    with pytest.raises(UnreadableFile) as caught:
        read_table(data)
    assert str(caught.value) == reason
