import os

# openpyxl parses with lxml whenever lxml is installed (python-docx brings it), and lxml does
# not go through defusedxml: keep openpyxl on the standard parser that defusedxml guards, so a
# workbook declaring XML entities is refused as such (core/spreadsheets.py).
os.environ["OPENPYXL_LXML"] = "False"
