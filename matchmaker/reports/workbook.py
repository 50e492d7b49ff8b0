"""The report as an XLSX workbook (openpyxl): a cover sheet, then one sheet per table, numbers
stored as numbers."""

from __future__ import annotations

import io
import re

from matchmaker.reports.views import ReportView

# Excel's limits on a sheet's name: 31 characters, none of []:*?/\
_NOT_IN_NAME = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(title: str, taken: set[str]) -> str:
    name = _NOT_IN_NAME.sub(" ", title)[:31].strip() or "sheet"
    base, n = name, 2
    while name in taken:
        name = f"{base[:28]} {n}"
        n += 1
    taken.add(name)
    return name


def xlsx(report: ReportView) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    cover = book.active
    taken: set[str] = set()
    cover.title = _sheet_name(report.title, taken)
    cover.append([report.title])
    cover["A1"].font = Font(bold=True, size=14)
    cover.append([report.scope])
    cover.append([report.made])
    cover.append([])
    for total in report.totals:
        cover.append([total.label, total.amount, total.unit])
    cover.append([])
    cover.append([report.note])
    cover.column_dimensions["A"].width = 40
    for table in report.tables:
        sheet = book.create_sheet(_sheet_name(table.title, taken))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append(table.columns)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([c.value for c in row])
            for cell in sheet[sheet.max_row]:
                if cell.data_type == "f":  # a text such as "=1+1" is shown, never computed
                    cell.data_type = "s"
        for i, column in enumerate(table.columns):
            width = max([len(column), *(len(r[i].text) for r in table.rows)], default=10)
            sheet.column_dimensions[chr(ord("A") + i)].width = min(max(width + 2, 10), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
