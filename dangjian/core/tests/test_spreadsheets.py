"""Reading workbooks as offices make them, and refusing files that are not workbooks or that
attack the reader. Malicious files are read in a child process whose peak memory is measured."""

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from dangjian.core import spreadsheets
from dangjian.core.spreadsheets import SpreadsheetError, read_table
from dangjian.core.tests.workbooks import (
    SHEET,
    billion_laughs,
    external_entity,
    many_entries,
    sheet_xml,
    text_cell,
    with_parts,
    xlsx,
    zip_bomb,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
ROOT = Path(__file__).resolve().parents[3]


def refusal(data: bytes, filename: str = "名册.xlsx") -> SpreadsheetError:
    with pytest.raises(SpreadsheetError) as caught:
        read_table(data, filename=filename)
    assert CJK.search(caught.value.message)
    return caught.value


# ---------------------------------------------------------------- .xlsx


def test_xlsx_rows_keep_the_numbers_the_user_sees_and_drop_blank_rows():
    data = xlsx(
        [
            ["中新天津生态城党员花名册"],
            ["姓名", "身份证号"],
            ["张三", "120116198503121294"],
            [],
            ["", "   "],
            ["李四", "110101199003077777"],
        ],
        merge="A1:F1",
    )
    table = read_table(data)
    assert table.kind == "xlsx"
    assert table.sheet_name == "花名册"
    assert table.rows == [
        (1, ["中新天津生态城党员花名册"]),
        (2, ["姓名", "身份证号"]),
        (3, ["张三", "120116198503121294"]),
        (6, ["李四", "110101199003077777"]),
    ]


def test_trailing_empty_and_formatted_columns_are_trimmed():
    data = xlsx([["姓名", "民族", None, "", " "], ["张三", None, None]], styled_blanks="F1:Z40")
    assert read_table(data).rows == [(1, ["姓名", "民族"]), (2, ["张三"])]


def test_cells_keep_their_types_and_inner_blanks():
    data = xlsx([["张三", None, 13800138000, dt.datetime(1985, 3, 12), 1.5]])
    assert read_table(data).rows == [
        (1, ["张三", None, 13800138000, dt.datetime(1985, 3, 12), 1.5])
    ]


def test_formula_cells_give_their_cached_value_never_the_formula():
    rows = (
        f'<row r="1">{text_cell("A1", "姓名")}{text_cell("B1", "合计")}</row>'
        f'<row r="2">{text_cell("A2", "张三")}<c r="B2"><f>1+1</f><v>2</v></c>'
        '<c r="C2" t="str"><f>HYPERLINK("http://x","点我")</f><v>点我</v></c>'
        '<c r="D2"><f>NOW()</f></c></row>'  # no cached value: nothing, not a computed one
    )
    data = with_parts(xlsx([["x"]]), {SHEET: sheet_xml(rows)})
    assert read_table(data).rows == [(1, ["姓名", "合计"]), (2, ["张三", 2, "点我"])]


def test_the_content_decides_the_type_not_the_file_name():
    assert read_table(xlsx([["姓名"]]), filename="名册.csv").kind == "xlsx"
    assert read_table("姓名\n张三\n".encode(), filename="名册.xlsx").kind == "csv"


def test_more_rows_than_the_cap_are_refused(settings):
    settings.IMPORT_MAX_ROWS = 3
    data = xlsx([["姓名"], ["甲"], [], ["乙"], ["丙"]])
    assert "超过3行" in refusal(data).message


def test_more_cells_than_the_cap_are_refused(settings):
    settings.IMPORT_MAX_CELLS = 10
    assert refusal(xlsx([["a"] * 6, ["b"] * 6])).code == "file_cells"


def test_a_sheet_row_beyond_excels_last_row_is_refused():
    beyond = f'<row r="1048577">{text_cell("A1048577", "x")}</row>'
    rows = f'<row r="1">{text_cell("A1", "姓名")}</row>{beyond}'
    data = with_parts(xlsx([["x"]]), {SHEET: sheet_xml(rows)})
    assert refusal(data).code == "file_rows"


def test_a_damaged_sheet_is_refused_as_damaged():
    data = with_parts(xlsx([["姓名"]]), {SHEET: b"<worksheet><sheetData><row>"})
    assert refusal(data).message == spreadsheets.DAMAGED


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    assert refusal(out.getvalue()).message == spreadsheets.NOT_A_TABLE


def test_bzip2_entries_are_refused_before_they_are_unpacked():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert refusal(out.getvalue()).code == "file_damaged"


def test_entries_are_counted_as_they_unpack_not_as_their_header_says():
    data = xlsx([["姓名"] * 100])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(SHEET)
        with pytest.raises(SpreadsheetError) as caught:
            spreadsheets._read_entry(archive, info, budget=info.file_size - 1)
        assert spreadsheets._read_entry(archive, info, budget=info.file_size) == info.file_size
    assert caught.value.message == spreadsheets.BOMB


# ---------------------------------------------------------------- .csv

ROSTER_CSV = "党员花名册,,\n序号,姓名,身份证号\n1,张三,120116198503121294\n,,\n2,李四,\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_in_gbk(encoding):
    table = read_table(ROSTER_CSV.encode(encoding), filename="名册.csv")
    assert table.kind == "csv"
    assert table.rows == [
        (1, ["党员花名册"]),
        (2, ["序号", "姓名", "身份证号"]),
        (3, ["1", "张三", "120116198503121294"]),
        (5, ["2", "李四"]),
    ]


def test_csv_counts_a_quoted_multiline_cell_as_one_row():
    table = read_table('姓名,职务\n张三,"组织委员\n宣传委员"\n李四,书记\n'.encode())
    assert table.rows[1:] == [(2, ["张三", "组织委员\n宣传委员"]), (3, ["李四", "书记"])]


def test_an_html_table_saved_as_xls_is_refused_with_advice():
    data = "<html><body><table><tr><td>姓名</td></tr></table></body></html>".encode()
    assert refusal(data, "名册.xls").message == spreadsheets.HTML_MESSAGE


def test_undecodable_text_is_not_a_table():
    assert refusal(b"\xff\xfe\xfd name,id\n" * 3).message == spreadsheets.NOT_A_TABLE


# ---------------------------------------------------------------- files that are not tables


def test_an_empty_file_is_refused():
    assert refusal(b"").code == "file_empty"


def test_a_legacy_xls_is_refused_with_advice_to_save_as_xlsx():
    data = spreadsheets.OLE_MAGIC + b"\x00" * 504
    error = refusal(data, "名册.xls")
    assert error.code == "file_xls"
    assert ".xlsx" in error.message


def test_a_renamed_executable_is_refused():
    data = Path("/bin/true").read_bytes()
    assert refusal(data, "名册.xlsx").message == "文件不是Excel（.xlsx）或CSV文件"


def test_a_truncated_workbook_is_refused_as_damaged():
    data = xlsx([["姓名"], ["张三"]])
    assert refusal(data[: len(data) // 2]).message == spreadsheets.DAMAGED


def test_a_file_over_the_size_cap_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 1024
    error = refusal(xlsx([["姓名"] * 200]))
    assert error.code == "file_too_big"
    assert "1 KB的上限" in error.message


def test_the_size_cap_defaults_to_20_mb():
    assert spreadsheets.limit("IMPORT_MAX_BYTES") == 20 * 1024 * 1024


# ---------------------------------------------------------------- in a child process

# The child caps its address space, so a guard that fails kills the child, not the machine.
READER = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from dangjian.core import spreadsheets
if "--no-dtd-scan" in sys.argv:
    spreadsheets.DTD_MARKERS = ()  # leave the refusal to defusedxml, inside openpyxl
data = open(sys.argv[1], "rb").read()
try:
    table = spreadsheets.read_table(data, filename="名册.xlsx")
except spreadsheets.SpreadsheetError as error:
    print(error.code, error.message)
    sys.exit(3)
print("read", table.rows)
"""
# Runs the reader as its only child, so RUSAGE_CHILDREN is the reader's own peak.
WATCHER = """
import json, resource, subprocess, sys
child = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=120)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
result = {"code": child.returncode, "out": child.stdout, "err": child.stderr, "peak_kb": peak}
print(json.dumps(result))
"""
PEAK_LIMIT_KB = 300 * 1024  # ru_maxrss is in KB on Linux


def read_in_child(tmp_path: Path, data: bytes, *flags: str) -> dict:
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    command = [sys.executable, "-c", WATCHER, sys.executable, "-c", READER, str(path), *flags]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dangjian.settings"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=180)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-LINE")
    return path


MALICIOUS = {
    "zip bomb": (lambda tmp: zip_bomb(), spreadsheets.BOMB),
    "zip bomb with a lying header": (lambda tmp: zip_bomb(declared=1000), spreadsheets.BOMB),
    "too many entries": (lambda tmp: many_entries(1001), spreadsheets.TOO_MANY_PARTS),
    "entries hidden by a lying count": (
        lambda tmp: many_entries(30_000, claimed=5),
        spreadsheets.TOO_MANY_PARTS,
    ),
    "billion laughs": (lambda tmp: billion_laughs(), spreadsheets.XML_ATTACK),
    "external entity": (
        lambda tmp: external_entity(str(secret_file(tmp))),
        spreadsheets.XML_ATTACK,
    ),
    "renamed executable": (lambda tmp: Path("/bin/true").read_bytes(), spreadsheets.NOT_A_TABLE),
    "truncated zip": (lambda tmp: xlsx([["姓名"]] * 50)[:900], spreadsheets.DAMAGED),
    "empty file": (lambda tmp: b"", "文件是空的（0字节），请检查是否选错了文件"),
    "legacy xls": (lambda tmp: spreadsheets.OLE_MAGIC + bytes(504), spreadsheets.OLE_MESSAGE),
}


@pytest.mark.parametrize("case", MALICIOUS)
def test_malicious_file_is_refused_in_bounded_memory(tmp_path, case):
    build, message = MALICIOUS[case]
    result = read_in_child(tmp_path, build(tmp_path))
    assert result["code"] == 3, result
    assert message in result["out"]
    assert CJK.search(message)
    assert "TOP-SECRET" not in result["out"]
    assert result["peak_kb"] < PEAK_LIMIT_KB, result


@pytest.mark.parametrize("case", ["billion laughs", "external entity"])
def test_defusedxml_refuses_entities_even_without_the_dtd_scan(tmp_path, case):
    build, message = MALICIOUS[case]
    result = read_in_child(tmp_path, build(tmp_path), "--no-dtd-scan")
    assert result["code"] == 3, result
    assert "file_xml_entities" in result["out"]
    assert "TOP-SECRET" not in result["out"]
    assert result["peak_kb"] < PEAK_LIMIT_KB, result


def test_the_child_reads_an_ordinary_workbook(tmp_path):
    """The harness itself: an ordinary file is read, so a refusal above means something."""
    result = read_in_child(tmp_path, xlsx([["姓名"], ["张三"]]))
    assert result["code"] == 0, result
    assert "张三" in result["out"]
    assert 0 < result["peak_kb"] < PEAK_LIMIT_KB
