"""Small workbooks built in the tests, laid out as offices make them."""

import random
from io import BytesIO

from openpyxl import Workbook

from dangjian.core.testing import member_data
from dangjian.orgs.imports import MEMBER_COLUMNS, ORGANIZATION_COLUMNS

ROSTER_TITLE = "测试区党员花名册"


def workbook(header: list[str], rows: list[list], *, title: str = "") -> bytes:
    """An .xlsx with an optional merged title row above the header."""
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def roster(rows: list[dict], *, title: str = ROSTER_TITLE) -> bytes:
    """A roster in the template's layout; each row a dict of column key → cell."""
    return workbook(
        [c.header for c in MEMBER_COLUMNS],
        [[row.get(c.key) for c in MEMBER_COLUMNS] for row in rows],
        title=title,
    )


def organizations(rows: list[dict]) -> bytes:
    return workbook(
        [c.header for c in ORGANIZATION_COLUMNS],
        [[row.get(c.key) for c in ORGANIZATION_COLUMNS] for row in rows],
    )


def new_member(rng: random.Random, organization: str, **cells) -> dict:
    """A roster row of a valid new member, its cells as a secretary would type them."""
    data = member_data(rng)
    return {
        "name": data["name"],
        "id_number": data["id_number"],
        "gender": "男" if data["gender"] == "M" else "女",
        "phone": data["phone"],
        "organization": organization,
        "joined_on": data["joined_on"].strftime("%Y.%m.%d"),
        "status": "正式党员",
        **cells,
    }


def member_row(member, **cells) -> dict:
    """A roster row that says what the database says about `member`."""
    return {
        "name": member.name,
        "id_number": member.id_number,
        "phone": member.phone,
        "organization": member.organization.name,
        "joined_on": member.joined_on,
        **cells,
    }
