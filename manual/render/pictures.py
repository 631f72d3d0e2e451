"""Pictures for the home page, drawn at build time as inline SVG: a map of the cities, small bar charts.

No tiles, no script, no request to anyone: the map is Natural Earth's outlines (data/, public domain)
projected here, each city a dot linking to its page; every picture has a title and a text alternative.
"""

from __future__ import annotations

import functools
import html
import itertools
import json
import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from ..i18n import country_name, evidence_label, t
from ..model import Manual

MAP_FILE = Path(__file__).resolve().parent.parent.parent / "data" / "europe-countries.geojson"
# Lambert azimuthal equal-area centred on Europe (as EPSG:3035), on a sphere.
CENTRE_LAT, CENTRE_LON = 52.0, 10.0
# The window shown: from Portugal and Ireland to the Black Sea, from Crete to the north of Scandinavia.
WINDOW_LON, WINDOW_LAT = (-11.0, 34.0), (34.5, 70.0)
MAP_WIDTH = 640.0
SIMPLIFY_PIXELS = 0.4
SMALLEST_RING = 1.5  # square pixels: islands smaller than this are left out
EVIDENCE_LEVELS = ("evaluated", "multi-city", "single-city", "expert-opinion", None)

Point = tuple[float, float]
Polygon = list[list[Point]]


def project(lat: float, lon: float) -> Point:
    """Return the (x, y) of a place in the projection's unit, y growing northwards."""
    phi, lam = math.radians(lat), math.radians(lon - CENTRE_LON)
    phi0 = math.radians(CENTRE_LAT)
    k = math.sqrt(2 / (1 + math.sin(phi0) * math.sin(phi) + math.cos(phi0) * math.cos(phi) * math.cos(lam)))
    return (k * math.cos(phi) * math.sin(lam),
            k * (math.cos(phi0) * math.sin(phi) - math.sin(phi0) * math.cos(phi) * math.cos(lam)))


@functools.cache
def _frame() -> tuple[float, float, float, float]:
    """Return (left, top, scale, height) that put the window into MAP_WIDTH pixels."""
    samples = [project(lat, lon) for lat in _steps(*WINDOW_LAT) for lon in _steps(*WINDOW_LON)]
    left, right = min(x for x, _ in samples), max(x for x, _ in samples)
    bottom, top = min(y for _, y in samples), max(y for _, y in samples)
    scale = MAP_WIDTH / (right - left)
    return left, top, scale, (top - bottom) * scale


def _steps(low: float, high: float, count: int = 12) -> list[float]:
    return [low + (high - low) * i / count for i in range(count + 1)]


def to_svg(lat: float, lon: float) -> Point:
    """Return the place's position on the map, in SVG pixels."""
    left, top, scale, _ = _frame()
    x, y = project(lat, lon)
    return (x - left) * scale, (top - y) * scale


@functools.cache
def country_shapes() -> dict[str, list[Polygon]]:
    """Return every country's polygons (outer ring, then holes) in SVG pixels, simplified, by ISO code."""
    data = json.loads(MAP_FILE.read_text(encoding="utf-8"))
    _, _, _, height = _frame()
    shapes: dict[str, list[Polygon]] = {}
    for feature in data["features"]:
        polygons = []
        for polygon in feature["geometry"]["coordinates"]:
            rings = [_simplify(clip([to_svg(lat, lon) for lon, lat in ring], -3, -3, MAP_WIDTH + 3, height + 3))
                     for ring in polygon]
            outer = rings[0]
            if len(outer) < 4 or abs(_area(outer)) < SMALLEST_RING or not _visible(outer, height):
                continue
            polygons.append([outer] + [r for r in rings[1:] if len(r) >= 4 and abs(_area(r)) >= SMALLEST_RING])
        if polygons:
            shapes[feature["id"]] = polygons
    return shapes


def clip(ring: list[Point], west: float, south: float, east: float, north: float) -> list[Point]:
    """Clip a closed ring to a rectangle (Sutherland–Hodgman); x runs west→east, y south→north or down."""
    def cut_x(a: Point, b: Point, x: float) -> Point:
        return (x, a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0]))

    def cut_y(a: Point, b: Point, y: float) -> Point:
        return (a[0] + (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]), y)

    edges = [(lambda p: p[0] >= west, lambda a, b: cut_x(a, b, west)),
             (lambda p: p[0] <= east, lambda a, b: cut_x(a, b, east)),
             (lambda p: p[1] >= south, lambda a, b: cut_y(a, b, south)),
             (lambda p: p[1] <= north, lambda a, b: cut_y(a, b, north))]
    points = ring[:-1] if ring and ring[0] == ring[-1] else ring
    for is_inside, cut in edges:
        if not points:
            break
        result = []
        previous = points[-1]
        for point in points:
            if is_inside(point):
                if not is_inside(previous):
                    result.append(cut(previous, point))
                result.append(point)
            elif is_inside(previous):
                result.append(cut(previous, point))
            previous = point
        points = result
    return points + points[:1]


def _visible(ring: list[Point], height: float) -> bool:
    xs, ys = [x for x, _ in ring], [y for _, y in ring]
    return max(xs) >= 0 and min(xs) <= MAP_WIDTH and max(ys) >= 0 and min(ys) <= height


def _area(ring: list[Point]) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring)) / 2


def douglas_peucker(points: list[Point], tolerance: float) -> list[Point]:
    """Simplify an open line (Douglas–Peucker): keep its ends and the points farther than `tolerance` from it."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        farthest, index = 0.0, -1
        for i in range(first + 1, last):
            x, y = points[i]
            distance = abs(dy * x - dx * y + x2 * y1 - y2 * x1) / length if length else math.hypot(x - x1, y - y1)
            if distance > farthest:
                farthest, index = distance, i
        if farthest > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, kept in zip(points, keep) if kept]


def simplify_ring(ring: list[Point], tolerance: float) -> list[Point]:
    """Simplify a closed ring: its two halves, so that its ends stay where they are."""
    if len(ring) < 5:
        return ring
    middle = len(ring) // 2
    return douglas_peucker(ring[:middle + 1], tolerance)[:-1] + douglas_peucker(ring[middle:], tolerance)


def _simplify(ring: list[Point]) -> list[Point]:
    """The ring as drawn: simplified to SIMPLIFY_PIXELS."""
    return simplify_ring(ring, SIMPLIFY_PIXELS)


def inside(point: Point, polygons: list[Polygon]) -> bool:
    """Tell whether a point lies inside a country's polygons (even-odd rule, holes excluded)."""
    def in_ring(ring: list[Point]) -> bool:
        x, y = point
        found = False
        for (x1, y1), (x2, y2) in itertools.pairwise(ring):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                found = not found
        return found
    return any(in_ring(p[0]) and not any(in_ring(hole) for hole in p[1:]) for p in polygons)


def _path(polygons: list[Polygon]) -> str:
    """Return an SVG path in relative moves of tenths of a pixel (compact, and exact to the drawing)."""
    parts = []
    cx = cy = 0  # the pen, in tenths of a pixel
    for polygon in polygons:
        for ring in polygon:
            points = [(round(x * 10), round(y * 10)) for x, y in ring[:-1]]
            x0, y0 = points[0]
            steps = []
            px, py = x0, y0
            for x, y in points[1:]:
                if (x, y) != (px, py):
                    steps.append(f"{_num(x - px)}{_num(y - py)}")
                    px, py = x, y
            parts.append(f"m{_num(x0 - cx)}{_num(y0 - cy)}l{''.join(steps)}z".replace("l{", "l"))
            cx, cy = x0, y0  # 'z' brings the pen back to the ring's start
    return "M" + "".join(parts)[1:]


def _num(tenths: int) -> str:
    """Return a number of tenths as SVG's shortest text, with its separator: ' 1.5', '-.3', ' 12'."""
    value = tenths / 10
    text = f"{value:.1f}".rstrip("0").rstrip(".") if tenths % 10 else str(tenths // 10)
    text = text.replace("0.", ".", 1) if text.startswith("0.") else text.replace("-0.", "-.", 1)
    return text if text.startswith("-") else " " + text


def _count(lang: str, count: int) -> str:
    return t(lang, "pictures.contributions.one" if count == 1 else "pictures.contributions.other", count=count)


def city_map_svg(manual: Manual, lang: str, href_of_city: Callable[[str], str]) -> str:
    """Return an inline SVG map of Europe with a dot per city linking to `href_of_city(city_id)`."""
    _, _, _, height = _frame()
    counts = {city_id: len(manual.city_contributions(city_id)) for city_id in manual.cities}
    present = {city.country for city_id, city in manual.cities.items() if counts[city_id]}
    esc = html.escape
    title = t(lang, "pictures.map.title")
    cities = sorted(manual.cities.values(), key=lambda c: (country_name(c.country, lang), c.display_name(lang)))
    listing = "; ".join(f"{c.display_name(lang)} ({country_name(c.country, lang)}): {_count(lang, counts[c.id])}"
                        for c in cities)
    desc = t(lang, "pictures.map.desc", count=len(cities), cities=listing)
    out = [f'<svg class="continuum-map" viewBox="0 0 {MAP_WIDTH:.0f} {height:.0f}" width="100%" '
           f'role="group" aria-labelledby="continuum-map-title" aria-describedby="continuum-map-desc" '
           f'style="max-width:{MAP_WIDTH:.0f}px;height:auto">',
           f'<title id="continuum-map-title">{esc(title)}</title>',
           f'<desc id="continuum-map-desc">{esc(desc)}</desc>',
           f'<rect width="{MAP_WIDTH:.0f}" height="{height:.0f}" fill="#eef3f8"/>',
           '<g aria-hidden="true" stroke="#ffffff" stroke-width="0.5" stroke-linejoin="round">']
    for code, polygons in sorted(country_shapes().items()):
        fill = "#c5cae9" if code in present else "#dcdcdc"
        out.append(f'<path fill="{fill}" d="{_path(polygons)}"/>')
    out.append("</g>")
    out.append('<g class="continuum-map-cities">')
    for city in sorted(cities, key=lambda c: -counts[c.id]):
        x, y = to_svg(city.lat, city.lon)
        label = (f"{city.display_name(lang)} ({country_name(city.country, lang)}): "
                 f"{_count(lang, counts[city.id])}")
        radius = 3.5 + min(counts[city.id], 9) * 0.5
        out.append(f'<a href="{esc(href_of_city(city.id))}" aria-label="{esc(label)}">'
                   f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="#283593" stroke="#ffffff" '
                   f'stroke-width="1.2"><title>{esc(label)}</title></circle></a>')
    out.append("</g>")
    out.append(f'<text x="{MAP_WIDTH - 4:.0f}" y="{height - 5:.0f}" text-anchor="end" font-size="9" '
               f'fill="#555555">{esc(t(lang, "pictures.map.source"))}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def bar_chart_svg(title: str, rows: list[tuple[str, int]], lang: str, ident: str) -> str:
    """Return a horizontal bar chart as inline SVG, its values also in text for readers who cannot see it."""
    esc = html.escape
    label_width, bar_width, row_height = 300, 260, 22
    height = row_height * len(rows) + 8
    largest = max((value for _, value in rows), default=0) or 1
    values = "; ".join(f"{label}: {value}" for label, value in rows)
    desc = t(lang, "pictures.chart.desc", title=title, values=values or t(lang, "pictures.chart.empty"))
    out = [f'<svg class="continuum-chart" viewBox="0 0 {label_width + bar_width + 40} {height}" width="100%" '
           f'role="img" aria-labelledby="{ident}-title {ident}-desc" '
           f'style="max-width:{label_width + bar_width + 40}px;height:auto" font-size="12">',
           f'<title id="{ident}-title">{esc(title)}</title>',
           f'<desc id="{ident}-desc">{esc(desc)}</desc>']
    for index, (label, value) in enumerate(rows):
        y = 4 + index * row_height
        short = label if len(label) <= 46 else label[:45].rstrip() + "…"
        width = bar_width * value / largest
        out.append(f'<g><title>{esc(label)}: {value}</title>'
                   f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" fill="#222222">{esc(short)}</text>'
                   f'<rect x="{label_width}" y="{y + 3}" width="{width:.1f}" height="{row_height - 6}" '
                   f'fill="#3949ab"/>'
                   f'<text x="{label_width + width + 5:.1f}" y="{y + 15}" fill="#222222">{value}</text></g>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def theme_chart_svg(manual: Manual, lang: str) -> str:
    """Return the chart of published contributions per theme (chapter), in the manual's order."""
    rows = [(chapter.theme.name(lang), len(chapter.contributions)) for chapter in manual.chapters]
    return bar_chart_svg(t(lang, "pictures.chart.themes"), rows, lang, "continuum-chart-themes")


def year_chart_svg(manual: Manual, lang: str) -> str:
    """Return the chart of published contributions per year of submission."""
    years = Counter(c.submitted.year for c in manual.contributions.values())
    rows = [(str(year), years.get(year, 0)) for year in range(min(years, default=0), max(years, default=-1) + 1)]
    return bar_chart_svg(t(lang, "pictures.chart.years"), rows, lang, "continuum-chart-years")


def evidence_chart_svg(manual: Manual, lang: str) -> str:
    """Return the chart of published contributions per level of evidence ('not stated' last)."""
    levels = Counter(c.evidence for c in manual.contributions.values())
    rows = [(evidence_label(lang, level), levels.get(level, 0)) for level in EVIDENCE_LEVELS]
    return bar_chart_svg(t(lang, "pictures.chart.evidence"), rows, lang, "continuum-chart-evidence")


def home_pictures(manual: Manual, lang: str, href_of_city: Callable[[str], str]) -> str:
    """Return the map and the three charts as one HTML block for the home page's Markdown."""
    figures = [(city_map_svg(manual, lang, href_of_city), t(lang, "pictures.map.caption")),
               (theme_chart_svg(manual, lang), t(lang, "pictures.chart.themes")),
               (year_chart_svg(manual, lang), t(lang, "pictures.chart.years")),
               (evidence_chart_svg(manual, lang), t(lang, "pictures.chart.evidence"))]
    out = ['<div class="continuum-pictures">']
    for svg, caption in figures:
        out.append("<figure>\n" + svg + (f"<figcaption>{html.escape(caption)}</figcaption>\n" if caption else "")
                   + "</figure>")
    out.append("</div>")
    return "\n".join(out) + "\n"
