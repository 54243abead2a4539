"""A dashboard chart's table as .xlsx, through the core's safe writer (text that Excel would
run as a formula stays text)."""

from dangjian.core.spreadsheets import Sheet, write_workbook
from dangjian.reports.registry import Chart


def chart_workbook(chart: Chart) -> bytes:
    widths = {chart.columns[0]: 28} if chart.columns else {}
    return write_workbook(
        [
            Sheet(
                title=_sheet_title(chart.title),
                header=chart.columns,
                rows=chart.rows,
                widths=widths,
            )
        ]
    )


def _sheet_title(title: str) -> str:
    """Excel refuses these characters in a sheet's name, and more than 31 of them."""
    for character in "\\/?*[]:":
        title = title.replace(character, "")
    return title[:31] or "数据"
