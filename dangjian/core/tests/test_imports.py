"""The import framework on files as people make them: the header row found under a title,
columns by synonyms in any order, values normalised, every problem named by row, column and
value, and the report workbook with the problem cells filled red."""

import datetime as dt
import io
from functools import partial

import pytest
from openpyxl import load_workbook

from dangjian.core import imports
from dangjian.core.imports import (
    Column,
    Day,
    Problem,
    parse_choice,
    parse_day,
    parse_id_number,
    parse_mobile,
    parse_table,
    parse_text,
    report_workbook,
)
from dangjian.core.spreadsheets import Table, read_table
from dangjian.core.tests.workbooks import xlsx

GENDERS = {"男": "M", "女": "F", "男性": "M", "女性": "F"}
STATUSES = {"正式党员": "full", "预备党员": "probationary", "正式": "full"}
COLUMNS = [
    Column("name", "姓名", ("党员姓名",), partial(parse_text, max_length=20), required=True),
    Column("id_number", "身份证号", ("公民身份号码", "身份证号码"), parse_id_number, required=True),
    Column("gender", "性别", (), partial(parse_choice, choices=GENDERS)),
    Column("phone", "手机号", ("手机", "手机号码", "联系电话"), parse_mobile),
    Column("organization", "所在党组织", ("所属支部", "党支部"), required=True),
    Column("joined_on", "入党日期", ("入党时间",), parse_day),
    Column("full_member_on", "转正日期", ("转正时间",), parse_day),
    Column("status", "党员类别", ("人员类别",), partial(parse_choice, choices=STATUSES)),
]
# Valid ID numbers (GB 11643 check digits worked out by hand from the weights).
ID_A = "120116198503121294"
ID_B = "11010519491231002X"
BAD_CHECK = "120116198503121295"  # the check digit should be 4
RED = "00FFC7CE"


def parse_rows(rows: list[list], **options):
    data = xlsx(rows, **options)
    table = read_table(data)
    return data, table, parse_table(table, COLUMNS)


def problems_of(parsed) -> list[str]:
    return [str(p) for p in parsed.problems]


# ---------------------------------------------------------------- header row and columns


def test_header_row_is_found_below_a_merged_title_row():
    _, _, parsed = parse_rows(
        [
            ["中新天津生态城党员花名册"],
            ["填报单位：第一党支部", None, "填报日期：2021年6月"],
            ["序号", "姓名", "身份证号", "所在党组织"],
            [1, "张三", ID_A, "第一党支部"],
        ],
        merge="A1:D1",
    )
    assert parsed.header_row == 3
    assert parsed.problems == []
    assert [(r.number, r.values) for r in parsed.rows] == [
        (4, {"name": "张三", "id_number": ID_A, "organization": "第一党支部"})
    ]


@pytest.mark.parametrize(
    "headers",
    [
        ["入党时间", "所属支部", "公民身份号码", "手机", "姓名"],
        ["联系电话", "党支部", "姓名", "入党日期", "身份证号码"],
        ["姓名", "入党时间", "手机号码", "身份证号", "所在党组织"],
    ],
)
def test_shuffled_columns_with_synonym_headers_map_to_their_fields(headers):
    cells = {
        "姓名": "张三",
        "身份证号": ID_A,
        "公民身份号码": ID_A,
        "身份证号码": ID_A,
        "手机": "13800138000",
        "手机号码": "13800138000",
        "联系电话": "13800138000",
        "所在党组织": "第一党支部",
        "所属支部": "第一党支部",
        "党支部": "第一党支部",
        "入党时间": "1985.03.12",
        "入党日期": "1985.03.12",
    }
    _, _, parsed = parse_rows([headers, [cells[h] for h in headers]])
    assert parsed.problems == []
    assert parsed.rows[0].values == {
        "name": "张三",
        "id_number": ID_A,
        "phone": "13800138000",
        "organization": "第一党支部",
        "joined_on": Day(dt.date(1985, 3, 12)),
    }
    assert {parsed.headers[k]: parsed.positions[k] for k in parsed.headers} == {
        h: i for i, h in enumerate(headers)
    }


def test_headers_match_without_spaces_line_breaks_full_width_or_required_marks():
    headers = ["*姓 名", "身份证号\n（必填）", "所在党组织*", " 手机号码 ", "党员类别(选填)"]
    _, _, parsed = parse_rows([headers, ["张三", ID_A, "一支部", "13800138000", "正式党员"]])
    assert parsed.problems == []
    assert parsed.headers == {
        "name": "*姓 名",
        "id_number": "身份证号\n（必填）",
        "organization": "所在党组织*",
        "phone": "手机号码",
        "status": "党员类别(选填)",
    }


def test_serial_number_column_is_ignored_and_unknown_columns_are_listed():
    _, _, parsed = parse_rows(
        [
            ["序号", "姓名", "身份证号", "所在党组织", "备注", "籍贯"],
            [1, "张三", ID_A, "一支部", "无", "天津"],
        ]
    )
    assert parsed.unknown_columns == ["备注", "籍贯"]
    assert parsed.problems == []
    assert parsed.rows[0].values == {"name": "张三", "id_number": ID_A, "organization": "一支部"}


def test_rows_with_nothing_in_the_known_columns_are_skipped():
    _, _, parsed = parse_rows(
        [
            ["序号", "姓名", "身份证号", "所在党组织", "备注"],
            [1, "张三", ID_A, "一支部"],
            [2],
            [3, None, None, None, "空行"],
        ]
    )
    assert [r.number for r in parsed.rows] == [2]
    assert parsed.problems == []


def test_a_missing_required_column_names_it_and_its_synonyms_and_no_row_counts():
    _, _, parsed = parse_rows([["姓名", "所在党组织"], ["张三", "一支部"]])
    assert problems_of(parsed) == [
        "身份证号：缺少必填列“身份证号”（也可写作：公民身份号码、身份证号码）"
    ]
    assert parsed.problems[0].row == 0
    assert parsed.rows == []


def test_a_blank_required_cell_is_a_problem_and_its_row_is_left_out():
    _, _, parsed = parse_rows(
        [["姓名", "身份证号", "所在党组织"], ["张三", ID_A, "一支部"], [" ", ID_B, "一支部"]]
    )
    assert problems_of(parsed) == ["第3行 姓名：不能为空"]
    assert [r.number for r in parsed.rows] == [2]


def test_the_own_header_wins_over_a_synonym_and_the_other_column_is_reported():
    _, _, parsed = parse_rows(
        [
            ["姓名", "身份证号", "所在党组织", "联系电话", "手机号"],
            ["张三", ID_A, "一支部", "022-66001234", "13800138000"],
        ]
    )
    assert parsed.headers["phone"] == "手机号"
    assert parsed.unknown_columns == ["联系电话"]
    assert parsed.rows[0].values["phone"] == "13800138000"


def test_the_same_header_twice_is_a_problem():
    _, _, parsed = parse_rows(
        [["姓名", "身份证号", "所在党组织", "姓名"], ["张三", ID_A, "一支部", "李四"]]
    )
    assert problems_of(parsed) == ["姓名：“姓名”列出现了不止一次，请删去多余的列"]
    assert parsed.rows == []


def test_a_file_without_a_header_row_is_a_problem():
    _, _, parsed = parse_rows([["党员花名册"], ["张三", ID_A]])
    assert parsed.header_row == 0
    assert "找不到表头" in problems_of(parsed)[0]
    empty = parse_table(Table("csv", []), COLUMNS)
    assert problems_of(empty) == ["文件中没有任何内容"]


# ---------------------------------------------------------------- values as people type them


def test_row_57_with_a_bad_check_digit_names_row_column_value_and_expected_digit():
    rows = [["中新天津生态城党员花名册"], ["序号", "姓名", "身份证号", "所在党组织"]]
    rows += [[n, f"党员{n}", ID_A if n != 55 else BAD_CHECK, "一支部"] for n in range(1, 59)]
    data, table, parsed = parse_rows(rows, merge="A1:D1")
    assert [str(p) for p in parsed.problems] == [
        "第57行 身份证号 120116198503121295：身份证号校验位不符（末位应为“4”，填写的是“5”），"
        "请核对是否有输错的数字"
    ]
    assert 57 not in [r.number for r in parsed.rows]
    assert len(parsed.rows) == 57

    report = load_workbook(io.BytesIO(report_workbook(data, table, parsed, parsed.problems)))
    sheet = report.worksheets[0]
    assert sheet["C57"].value == BAD_CHECK
    assert sheet["C57"].fill.fgColor.rgb == RED
    assert sheet["C56"].fill.fill_type is None
    assert sheet["E2"].value == "问题说明"
    assert sheet["E57"].value.startswith("身份证号：身份证号校验位不符（末位应为“4”")
    assert sheet["E56"].value is None
    assert sheet["A1"].value == "中新天津生态城党员花名册"  # the user's own file, title and all


@pytest.mark.parametrize("cell", [120116198503121294, 1.20116198503121e17])
def test_an_id_number_stored_as_a_number_is_reported_as_lost_precision(cell):
    _, _, parsed = parse_rows([["姓名", "身份证号", "所在党组织"], ["张三", cell, "一支部"]])
    [problem] = parsed.problems
    assert (problem.row, problem.column) == (2, "身份证号")
    assert problem.message == "身份证号被存成了数字，末几位已丢失，请把该列设为文本后重新填写"
    assert problem.value.startswith("120116198503121")
    assert parsed.rows == []


def test_full_width_digits_and_spaces_are_normalised():
    _, _, parsed = parse_rows(
        [
            ["姓名", "身份证号", "所在党组织", "手机", "入党日期"],
            [
                "张三",
                "１２０１１６ １９８５０３１２ １２９４",
                "一支部",
                "１３８ ００１３ ８０００",
                "１９８５年３月１２日",
            ],
            ["李四", "11010519491231002x", "一支部", 13800138001, "１９８５．０３"],
        ]
    )
    assert parsed.problems == []
    assert [
        (r.values["id_number"], r.values["phone"], r.values["joined_on"]) for r in parsed.rows
    ] == [
        (ID_A, "13800138000", Day(dt.date(1985, 3, 12))),
        (ID_B, "13800138001", Day(dt.date(1985, 3, 1), "month")),
    ]


def test_a_gbk_csv_roster_parses_with_its_row_numbers():
    text = (
        "第一党支部党员名单,,,,\n"
        "序号,党员姓名,公民身份号码,党支部,入党时间\n"
        f"1,张三,{ID_A},第一党支部,1985/03/12\n"
        ",,,,\n"
        f"2,李四,{ID_B},第一党支部,198503\n"
    )
    table = read_table(text.encode("gbk"), filename="名单.csv")
    parsed = parse_table(table, COLUMNS)
    assert parsed.problems == []
    assert [(r.number, r.values["name"], r.values["joined_on"]) for r in parsed.rows] == [
        (3, "张三", Day(dt.date(1985, 3, 12))),
        (5, "李四", Day(dt.date(1985, 3, 1), "month")),
    ]


def test_a_15_character_id_number_gets_the_length_message():
    _, _, parsed = parse_rows(
        [["姓名", "身份证号", "所在党组织"], ["张三", "120116850312129", "一支部"]]
    )
    assert problems_of(parsed) == ["第2行 身份证号 120116850312129：身份证号应为18位，现为15位"]


# ---------------------------------------------------------------- cell parsers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1985.03.12", Day(dt.date(1985, 3, 12))),
        ("1985-3-12", Day(dt.date(1985, 3, 12))),
        ("1985/03/12", Day(dt.date(1985, 3, 12))),
        ("1985年3月12日", Day(dt.date(1985, 3, 12))),
        ("１９８５年０３月１２日", Day(dt.date(1985, 3, 12))),
        (" 19850312 ", Day(dt.date(1985, 3, 12))),
        ("1985-03-12 00:00:00", Day(dt.date(1985, 3, 12))),
        (19850312, Day(dt.date(1985, 3, 12))),
        (dt.datetime(1985, 3, 12), Day(dt.date(1985, 3, 12))),
        (dt.date(1985, 3, 12), Day(dt.date(1985, 3, 12))),
        ("198503", Day(dt.date(1985, 3, 1), "month")),
        ("1985.03", Day(dt.date(1985, 3, 1), "month")),
        ("1985-03", Day(dt.date(1985, 3, 1), "month")),
        ("1985/3", Day(dt.date(1985, 3, 1), "month")),
        ("1985年3月", Day(dt.date(1985, 3, 1), "month")),
        (198503, Day(dt.date(1985, 3, 1), "month")),
        (1985.03, Day(dt.date(1985, 3, 1), "month")),
        (1985.12, Day(dt.date(1985, 12, 1), "month")),
        (None, None),
        ("  ", None),
    ],
)
def test_parse_day_reads_real_dates_and_every_text_format(value, expected):
    assert parse_day(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1985-02-30", "“1985-02-30”不是有效日期"),
        ("198513", "“198513”不是有效日期"),
        ("1985年13月", "“1985年13月”不是有效日期"),
        ("去年七月", "无法识别的日期，请写成1985-03-12"),
        (31118, "无法识别的日期，请写成1985-03-12"),  # an Excel serial number: never guessed
        ("85.3.12", "无法识别的日期，请写成1985-03-12"),
        (1985.1, "“1985.1”可能是1月也可能是10月，请写成1985-01或1985-10"),
    ],
)
def test_parse_day_refuses_impossible_and_unknown_dates(value, message):
    with pytest.raises(imports.CellError, match=message):
        parse_day(value)


def test_parse_text_normalises_width_and_whitespace_and_caps_length():
    assert parse_text("  张\u3000三\n ") == "张 三"
    assert parse_text("ＡＢＣ１２３") == "ABC123"
    assert parse_text(12.0) == "12"
    assert parse_text(" ") is None
    assert parse_text("一二三四五", max_length=5) == "一二三四五"
    with pytest.raises(imports.CellError, match="不能超过4个字"):
        parse_text("一二三四五", max_length=4)


def test_parse_id_number_normalises_and_never_guesses():
    assert parse_id_number(" 110105 19491231 002x ") == ID_B
    assert parse_id_number(None) is None
    for number in (1.20116e17, "1.20116E+17", 120116198503121294):
        with pytest.raises(imports.CellError, match="末几位已丢失"):
            parse_id_number(number)


def test_parse_mobile_accepts_number_cells_of_eleven_digits():
    assert parse_mobile(13800138000) == "13800138000"
    assert parse_mobile(13800138000.0) == "13800138000"
    assert parse_mobile("+86 138-0013-8000") == "13800138000"
    assert parse_mobile("") is None
    with pytest.raises(imports.CellError, match="手机号应为11位，现为10位"):
        parse_mobile(1380013800)


def test_parse_choice_matches_labels_and_synonyms_and_lists_the_labels():
    assert parse_choice("男性", GENDERS) == "M"
    assert parse_choice(" 女 ", GENDERS) == "F"
    assert parse_choice("正式", STATUSES) == "full"
    assert parse_choice(None, GENDERS) is None
    with pytest.raises(imports.CellError) as caught:
        parse_choice("未知", GENDERS)
    assert str(caught.value) == "只能填写：男、女"


def test_problem_reads_as_row_column_value_and_message():
    assert str(Problem(57, "身份证号", "1201", "校验位错误")) == "第57行 身份证号 1201：校验位错误"
    assert str(Problem(3, "姓名", "", "不能为空")) == "第3行 姓名：不能为空"
    assert str(Problem(0, "", "", "文件中没有党员数据")) == "文件中没有党员数据"


# ---------------------------------------------------------------- the report workbook


def test_report_of_a_csv_is_an_xlsx_with_the_same_row_numbers():
    text = f'姓名,身份证号,所在党组织,备注\n张三,{BAD_CHECK},一支部,"=HYPERLINK(""http://x"",""点我"")"\n\n李四,,一支部\n'
    data = text.encode("utf-8-sig")
    table = read_table(data, filename="名册.csv")
    parsed = parse_table(table, COLUMNS)
    file_problem = Problem(0, "", "", "文件中有重复的身份证号")
    report = load_workbook(
        io.BytesIO(report_workbook(data, table, parsed, [*parsed.problems, file_problem]))
    )
    sheet = report.worksheets[0]
    assert sheet["B2"].fill.fgColor.rgb == RED
    assert sheet["B4"].fill.fgColor.rgb == RED  # a blank required cell
    assert sheet["A3"].value is None
    assert sheet["E1"].value == "问题说明"
    assert sheet["E4"].value == "身份证号：不能为空"
    assert sheet["D2"].value == '=HYPERLINK("http://x","点我")'
    assert sheet["D2"].data_type == "s"  # text, never a formula
    listed = list(report["问题清单"].values)
    assert listed[0] == ("行号", "列", "值", "问题")
    assert listed[-1] == (None, None, None, "文件中有重复的身份证号")


def test_a_report_uploaded_again_reuses_its_note_column():
    rows = [
        ["姓名", "身份证号", "所在党组织", "问题说明"],
        ["张三", ID_B, "一支部", "身份证号：旧的说明"],
        ["李四", BAD_CHECK, "一支部"],
    ]
    data, table, parsed = parse_rows(rows)
    assert parsed.unknown_columns == []
    sheet = load_workbook(io.BytesIO(report_workbook(data, table, parsed, parsed.problems))).active
    assert [c.value for c in sheet[1]] == ["姓名", "身份证号", "所在党组织", "问题说明"]
    assert sheet["D2"].value is None
    assert sheet["D3"].value.startswith("身份证号：身份证号校验位不符")


def test_a_large_xlsx_report_is_rebuilt_from_its_rows(monkeypatch):
    monkeypatch.setattr(imports, "REPORT_COPY_MAX_CELLS", 5)
    data, table, parsed = parse_rows(
        [["花名册"], ["姓名", "身份证号", "所在党组织"], ["张三", BAD_CHECK, "一支部"]],
        merge="A1:C1",
    )
    sheet = load_workbook(io.BytesIO(report_workbook(data, table, parsed, parsed.problems))).active
    assert sheet.merged_cells.ranges == set()  # rebuilt, not loaded
    assert [c.value for c in sheet[3]] == [
        "张三",
        BAD_CHECK,
        "一支部",
        "身份证号：" + parsed.problems[0].message,
    ]
    assert sheet["B3"].fill.fgColor.rgb == RED


def test_parse_text_keeps_chinese_brackets_and_makes_full_width_digits_ascii():
    from dangjian.core.imports import parse_text

    assert parse_text("太极（天津）有限公司") == "太极（天津）有限公司"
    assert parse_text("第１２３号　ＡＢ") == "第123号 AB"
