"""A table (a roadmap's actions) as the spreadsheet files a service downloads: CSV, XLSX, and
ODS, the OpenDocument format that the French administration's interoperability framework (RGI)
asks public bodies to use. Dates stay dates (sortable, and shown day/month/year)."""

import csv
import datetime
import io
from collections.abc import Sequence

from odf.number import DateStyle, Day, Month, Year
from odf.number import Text as NumberText
from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import Style, TableColumnProperties, TextProperties
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import P
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Row = Sequence[str | datetime.date | None]


def _shown(value) -> str:
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    return value or ""


def as_csv(headers: Sequence[str], rows: Sequence[Row]) -> bytes:
    """Semicolons and a BOM, so that spreadsheet software set to French opens the columns and
    the accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(headers)
    writer.writerows([_shown(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode()


def as_xlsx(title: str, headers: Sequence[str], rows: Sequence[Row], widths: Sequence[int]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, datetime.date):
                cell.number_format = "DD/MM/YYYY"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def as_ods(title: str, headers: Sequence[str], rows: Sequence[Row], widths: Sequence[int]) -> bytes:
    document = OpenDocumentSpreadsheet()
    heading = Style(name="heading", family="table-cell")
    heading.addElement(TextProperties(fontweight="bold"))
    day_month_year = DateStyle(name="day-month-year")
    for part in (Day(style="long"), NumberText(text="/"), Month(style="long"), NumberText(text="/"),
                 Year(style="long")):
        day_month_year.addElement(part)
    dated = Style(name="dated", family="table-cell", datastylename="day-month-year")
    document.automaticstyles.addElement(heading)
    document.automaticstyles.addElement(day_month_year)
    document.automaticstyles.addElement(dated)
    table = Table(name=title)
    for index, width in enumerate(widths):
        column = Style(name=f"column-{index}", family="table-column")
        column.addElement(TableColumnProperties(columnwidth=f"{width * 0.19:.2f}cm"))
        document.automaticstyles.addElement(column)
        table.addElement(TableColumn(stylename=column))
    table.addElement(_ods_row(headers, heading))
    for row in rows:
        table.addElement(_ods_row(row, None, dated))
    document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def _ods_row(values: Row, style, dated=None) -> TableRow:
    row = TableRow()
    for value in values:
        if isinstance(value, datetime.date):
            cell = TableCell(valuetype="date", datevalue=value.isoformat(), stylename=dated)
        else:
            cell = TableCell(valuetype="string", stylename=style) if style else TableCell(valuetype="string")
        cell.addElement(P(text=_shown(value)))
        row.addElement(cell)
    return row
