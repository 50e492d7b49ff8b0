"""The charts: matplotlib's SVG holds every label whole inside its viewBox, a single month is a
bar with axes, and the numbers are written in the UI language."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from PIL import ImageFont

from matchmaker.web import charts
from matchmaker.web.i18n import Translator

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> list[tuple[str, float, float]]:
    """Each text of the SVG with where it is anchored."""
    root = ET.fromstring(svg)
    return [
        (el.text or "", float(el.get("x", 0)), float(el.get("y", 0)))
        for el in root.iter(f"{SVG}text")
    ]


def view_box(svg: str) -> tuple[float, float, float, float]:
    found = re.search(r'viewBox="([^"]+)"', svg)
    assert found
    x, y, w, h = (float(v) for v in found.group(1).split())
    return x, y, w, h


def test_a_one_month_series_is_a_bar_with_axes_and_its_number_whole() -> None:
    t = Translator("fi")
    chart = charts.Chart("Tonnit", ["maalis 2027"], [240.0], "t/v", horizontal=False)
    svg = str(charts.svg(chart, t.number))
    found = texts(svg)
    words = [w for w, _, _ in found]
    assert "240" in words  # the bar's number, whole (it was "40 t/v" when clipped)
    assert "t/v" in words  # the axis says what it counts ("O2e/v" when clipped)
    assert "maalis 2027" in words
    assert len([w for w in words if re.fullmatch(r"\d+", w)]) >= 3  # the value axis's ticks
    x0, y0, w, h = view_box(svg)
    for word, x, y in found:
        assert x0 <= x <= x0 + w and y0 <= y <= y0 + h, word
    # the number right of the bar's start: half of its width fits on either side of x
    number = next((x, y) for word, x, y in found if word == "240" and x > 60)
    assert number[0] - 12 > x0 and number[0] + 12 < x0 + w


def test_long_category_labels_stay_inside_the_picture() -> None:
    t = Translator("sv")
    labels = ["Förhandlingar pågår", "Genomförda utbyten", "Pilot"]
    chart = charts.Chart("Förslag", labels, [12.0, 3.0, 1.0], "förslag")
    svg = str(charts.svg(chart, t.number))
    found = texts(svg)
    x0, _, w, _ = view_box(svg)
    font = ImageFont.truetype(str(charts.font_files()[0]), 10)  # the charts' font and size
    for label in labels:
        x = next(x for word, x, _ in found if word == label)
        # right-aligned at x: the label's measured width fits left of it, inside the picture
        assert x - font.getlength(label) >= x0 and x <= x0 + w, label


def test_numbers_are_written_as_the_ui_language_writes_them() -> None:
    chart = charts.Chart("CO2e", ["2026"], [1.5], "t CO2e/v", horizontal=False, digits=1)
    assert "1,5" in [w for w, _, _ in texts(str(charts.svg(chart, Translator("fi").number)))]
    assert "1.5" in [w for w, _, _ in texts(str(charts.svg(chart, Translator("en").number)))]


def test_the_chart_is_hidden_from_screen_readers_who_get_the_table() -> None:
    t = Translator("en")
    shown = charts.show(charts.Chart("Matches", ["Pilot", "Realised"], [2, 5], "matches"), t.number)
    assert 'aria-hidden="true"' in str(shown.svg)
    assert shown.rows == [("Pilot", "2"), ("Realised", "5")]


def test_a_png_for_the_pdf() -> None:
    chart = charts.Chart("Matches", ["Pilot"], [2], "matches")
    assert charts.png(chart, Translator("en").number).startswith(b"\x89PNG")


def test_the_svg_has_no_inline_style_which_the_pages_csp_would_drop() -> None:
    """With style-src 'self', a style attribute is ignored: the bars would be drawn black."""
    chart = charts.Chart("Matches", ["Pilot", "Realised"], [2, 5], "matches")
    svg = str(charts.svg(chart, Translator("en").number))
    assert "style=" not in svg and "<style" not in svg
    assert 'fill="#1d6b47"' in svg  # the bars' colour, as an attribute
