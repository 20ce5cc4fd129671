"""Reading the first sheet of an .xlsx workbook without a spreadsheet library."""

from __future__ import annotations

import io
import zipfile

import pytest

from storage.xlsx import XlsxError, first_sheet
from tests.support.unit_files import MAIN, workbook


def test_the_first_tab_is_read_with_its_row_numbers():
    """The office's list is on the first tab, whichever part file holds it; text comes from
    the shared strings, numbers as Excel stored them, and gaps keep their places."""
    data = workbook(
        {
            "Đơn vị": [
                ["STT", "Tên đơn vị", "Loại"],
                [1, "Thôn Đông", "thôn"],
                [2, None, "thôn"],
                [],
                [3, "Trường THCS An Hưng", "THCS"],
            ],
            "Ghi chú": [["Không nhập trang này"]],
        }
    )
    assert first_sheet(data) == (
        "Đơn vị",
        [
            (1, ["STT", "Tên đơn vị", "Loại"]),
            (2, ["1", "Thôn Đông", "thôn"]),
            (3, ["2", "", "thôn"]),
            (4, []),
            (5, ["3", "Trường THCS An Hưng", "THCS"]),
        ],
    )


def test_inline_and_rich_text_cells_and_rows_excel_skipped():
    """Text typed inline, text in several formatted runs (without its phonetic guide), and
    rows Excel left out of the file because they are empty."""
    sheet = (
        f'<worksheet xmlns="{MAIN}"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Tên đơn vị</t></is></c>'
        '<c r="C1" t="s"><v>0</v></c></row>'
        '<row r="7"><c r="A7" t="s"><v>1</v></c><c r="C7" t="str"><v>xóm</v></c></row>'
        "</sheetData></worksheet>"
    )
    strings = (
        f'<sst xmlns="{MAIN}"><si><t>Loại</t></si>'
        "<si><r><t>Xóm </t></r><r><t>Bãi</t></r><rPh><t>ignored</t></rPh></si></sst>"
    )
    data = workbook(
        {"Sheet1": []},
        parts={"xl/worksheets/sheet1.xml": sheet, "xl/sharedStrings.xml": strings},
    )
    assert first_sheet(data) == (
        "Sheet1",
        [(1, ["Tên đơn vị", "", "Loại"]), (7, ["Xóm Bãi", "", "xóm"])],
    )


def zipped(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (workbook({"A": [["x"]]})[:200], "the workbook is damaged (not a complete .xlsx file)"),
        (
            zipped({"content.xml": "<x/>"}),
            "a zip file, but not an Excel workbook; save it as .xlsx",
        ),
        (
            zipped({"xl/workbook.xml": f'<workbook xmlns="{MAIN}"><sheets/></workbook>'}),
            "the workbook has no sheet",
        ),
        (
            workbook({"A": [["x"]]}, parts={"xl/_rels/workbook.xml.rels": "<Relationships/>"}),
            "the workbook's first sheet is missing",
        ),
        (
            workbook({"A": [["x"]]}, parts={"xl/worksheets/sheet1.xml": "<worksheet>"}),
            "the workbook part xl/worksheets/sheet1.xml is damaged",
        ),
        (
            workbook(
                {"A": [["x"]]},
                parts={
                    "xl/sharedStrings.xml": (
                        '<!DOCTYPE sst [<!ENTITY a "aaaaaaaa">]><sst><si><t>&a;</t></si></sst>'
                    )
                },
            ),
            "the workbook holds XML this reader does not accept",
        ),
    ],
)
def test_what_cannot_be_read_is_said(data, reason):
    """A cut-off download, another zip, a workbook without sheets or with XML entities."""
    with pytest.raises(XlsxError) as caught:
        first_sheet(data)
    assert str(caught.value) == reason
