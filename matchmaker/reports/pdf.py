"""The report as a PDF (fpdf2): the title, the totals, the charts as pictures, then the tables.
The only module that imports fpdf."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from matchmaker.reports.views import ReportView, Table
from matchmaker.web import charts

if TYPE_CHECKING:
    from fpdf import FPDF

FONT = "DejaVu"
CHART_WIDTH_MM = 150
CHART_ROOM_MM = 95  # the tallest chart (eight stages) and its title


def pdf(report: ReportView, number: charts.Number) -> bytes:
    from fpdf import FPDF

    doc = FPDF(orientation="portrait", unit="mm", format="A4")
    regular, bold = charts.font_files()
    doc.add_font(FONT, "", str(regular))
    doc.add_font(FONT, "B", str(bold))
    doc.set_title(f"{report.title} – {report.scope}")
    doc.set_creator("Circular Valley Matchmaker")
    doc.set_auto_page_break(auto=True, margin=15)
    doc.add_page()
    doc.set_font(FONT, "B", 18)
    doc.multi_cell(0, 9, report.title, new_x="LMARGIN", new_y="NEXT")
    doc.set_font(FONT, "", 12)
    doc.multi_cell(0, 7, report.scope, new_x="LMARGIN", new_y="NEXT")
    doc.set_font(FONT, "", 9)
    doc.multi_cell(0, 5, report.made, new_x="LMARGIN", new_y="NEXT")
    doc.ln(3)
    doc.set_font(FONT, "", 10)
    for total in report.totals:
        doc.set_font(FONT, "B", 10)
        doc.cell(70, 6, total.label)
        doc.set_font(FONT, "", 10)
        doc.cell(0, 6, f"{total.value} {total.unit}".strip(), new_x="LMARGIN", new_y="NEXT")
    doc.ln(3)
    for chart in report.charts:
        if doc.will_page_break(CHART_ROOM_MM):  # a chart's title stays with its picture
            doc.add_page()
        doc.set_font(FONT, "B", 11)
        doc.multi_cell(0, 6, chart.title, new_x="LMARGIN", new_y="NEXT")
        doc.image(io.BytesIO(charts.png(chart, number)), w=CHART_WIDTH_MM)
        doc.ln(2)
    for table in report.tables:
        _table(doc, table)
    doc.ln(2)
    doc.set_font(FONT, "", 8)
    doc.multi_cell(0, 4, report.note, new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())


def _table(doc: FPDF, table: Table) -> None:
    if doc.will_page_break(30):  # a table's title stays with its first rows
        doc.add_page()
    doc.ln(3)
    doc.set_font(FONT, "B", 11)
    doc.multi_cell(0, 6, table.title, new_x="LMARGIN", new_y="NEXT")
    if not table.rows:
        doc.set_font(FONT, "", 9)
        doc.multi_cell(0, 5, "–", new_x="LMARGIN", new_y="NEXT")
        return
    doc.set_font(FONT, "", 7 if len(table.columns) > 4 else 9)
    align = ["LEFT" if i < table.numeric_from else "RIGHT" for i in range(len(table.columns))]
    # columns as wide as their longest text (within bounds): a source citation gets room
    widths = tuple(
        min(max([len(table.columns[i]) / 2, 6, *(len(r[i].text) for r in table.rows)]), 40) + 4
        for i in range(len(table.columns))
    )
    with doc.table(text_align=tuple(align), col_widths=widths, line_height=4.5) as grid:
        head = grid.row()
        for column in table.columns:
            head.cell(column)
        for row in table.rows:
            line = grid.row()
            for cell in row:
                line.cell(cell.text)
