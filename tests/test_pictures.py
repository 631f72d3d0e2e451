"""The home page's pictures: a map with each city inside its country, charts with text alternatives."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from manual.merge import merge
from manual.render import pictures
from manual.validate import check_tree

from .conftest import REPO


@pytest.fixture(scope="module")
def manual():
    return merge(check_tree(REPO), preview=True)


def test_every_city_of_the_registry_lies_inside_its_country(manual) -> None:
    shapes = pictures.country_shapes()
    assert manual.cities
    for city in manual.cities.values():
        assert city.country in shapes, f"{city.id}: no outline for {city.country}"
        point = pictures.to_svg(city.lat, city.lon)
        assert pictures.inside(point, shapes[city.country]), f"{city.id} ({city.country}) is drawn outside it"
        others = [code for code, polygons in shapes.items() if code != city.country and pictures.inside(point, polygons)]
        assert not others, f"{city.id} falls in {others}"


def test_inside_knows_outside(manual) -> None:
    shapes = pictures.country_shapes()
    assert not pictures.inside(pictures.to_svg(43.0, 5.0), shapes["FR"])  # the sea off Marseille
    assert not pictures.inside(pictures.to_svg(48.8566, 2.3522), shapes["ES"])
    assert pictures.inside(pictures.to_svg(40.4168, -3.7038), shapes["ES"])


def _svg(text: str) -> ET.Element:
    return ET.fromstring(text.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def test_the_map_is_self_contained_and_accessible(manual) -> None:
    svg = pictures.city_map_svg(manual, "fr", lambda city_id: f"../cities/{city_id}/")
    assert not re.search(r"<script|\son\w+\s*=|javascript:|https?:|//|url\(|@import|<image|<foreignObject", svg,
                         re.IGNORECASE)
    root = _svg(svg)
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert root.find("s:title", ns).text == "Les villes qui contribuent au manuel"
    assert "Nice (France)" in root.find("s:desc", ns).text
    links = root.findall(".//s:a", ns)
    assert {a.get("href") for a in links} == {f"../cities/{city_id}/" for city_id in manual.cities}
    for a in links:
        assert a.get("aria-label") and a.find("s:circle/s:title", ns).text == a.get("aria-label")
    nice = next(a for a in links if a.get("href") == "../cities/nice/")
    circle = nice.find("s:circle", ns)
    x, y = pictures.to_svg(manual.cities["nice"].lat, manual.cities["nice"].lon)
    assert (float(circle.get("cx")), float(circle.get("cy"))) == (round(x, 1), round(y, 1))
    assert len(svg) < 150_000


def test_charts_give_their_values_in_text(manual) -> None:
    block = pictures.home_pictures(manual, "en", lambda city_id: f"cities/{city_id}.md")
    assert "\n\n" not in block  # one raw HTML block for Markdown
    for chart in (pictures.theme_chart_svg(manual, "en"), pictures.year_chart_svg(manual, "en"),
                  pictures.evidence_chart_svg(manual, "en")):
        root = _svg(chart)
        ns = {"s": "http://www.w3.org/2000/svg"}
        assert root.get("role") == "img" and root.get("aria-labelledby")
        assert re.search(r": \d+", root.find("s:desc", ns).text)
    themes = pictures.theme_chart_svg(manual, "en")
    first = manual.chapters[0]
    assert f"{first.theme.name('en')}: {len(first.contributions)}" in themes
    years = pictures.year_chart_svg(manual, "fr")
    assert "Contributions par année de soumission" in years


def test_the_outlines_say_where_they_come_from() -> None:
    data = json.loads(pictures.MAP_FILE.read_text(encoding="utf-8"))
    assert "Natural Earth" in data["source"] and "public domain" in data["source"]
    assert "Natural Earth" in (REPO / "data" / "README.md").read_text(encoding="utf-8")
    assert all(re.fullmatch(r"[A-Z]{2}(-N)?", f["id"]) for f in data["features"])
