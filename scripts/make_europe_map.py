#!/usr/bin/env python3
"""Convert Natural Earth's countries (npm package world-atlas, TopoJSON) to data/europe-countries.geojson.

Run once, when the outlines need refreshing; the result is committed, so the build needs neither npm
nor the network:

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    .venv/bin/python scripts/make_europe_map.py package/countries-10m.json data/europe-countries.geojson

Keeps the countries that reach into Europe's window, clips them to it, simplifies them
(Douglas–Peucker, 0.02°), rounds coordinates to 0.01° (about 1 km) and names each by its ISO 3166-1 alpha-2 code.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pycountry

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from manual.render.pictures import clip, simplify_ring

WINDOW = (-30.0, 28.0, 60.0, 82.0)  # west, south, east, north, in degrees
DECIMALS = 2
TOLERANCE = 0.02  # degrees: about 2 km, under a pixel of the home page's map
SPECIAL = {"Kosovo": "XK", "N. Cyprus": "CY-N", "Somaliland": "SO-N"}
LEFT_OUT = {"GL"}  # Greenland: only its clipped edge would show, as a stray band


def decode(topology: dict, name: str) -> list[dict]:
    """Return the GeoJSON features of one object of a TopoJSON topology (quantised or not)."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        points, x, y = [], 0, 0
        for point in arc:
            if transform:
                x, y = x + point[0], y + point[1]
                (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
                points.append((x * sx + tx, y * sy + ty))
            else:
                points.append(tuple(point))
        arcs.append(points)

    def ring(indexes: list[int]) -> list[tuple[float, float]]:
        out: list[tuple[float, float]] = []
        for index in indexes:
            points = arcs[index] if index >= 0 else arcs[~index][::-1]
            out.extend(points[1:] if out else points)
        return out

    features = []
    for geometry in topology["objects"][name]["geometries"]:
        if geometry["type"] == "Polygon":
            polygons = [[ring(r) for r in geometry["arcs"]]]
        elif geometry["type"] == "MultiPolygon":
            polygons = [[ring(r) for r in polygon] for polygon in geometry["arcs"]]
        else:
            continue
        features.append({"id": geometry.get("id"), "name": geometry.get("properties", {}).get("name", ""),
                         "polygons": polygons})
    return features


def simplify(ring: list[tuple[float, float]]) -> list[list[float]]:
    """Simplify, round to DECIMALS and drop repeated points; a ring left with fewer than 4 points is dropped."""
    out: list[list[float]] = []
    ring = simplify_ring(ring, TOLERANCE)
    for x, y in ring:
        point = [round(x, DECIMALS), round(y, DECIMALS)]
        if not out or point != out[-1]:
            out.append(point)
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out if len(out) >= 4 else []


def code_of(feature: dict) -> str | None:
    if feature["name"] in SPECIAL:
        return SPECIAL[feature["name"]]
    country = pycountry.countries.get(numeric=str(feature["id"]).zfill(3)) if feature["id"] else None
    return country.alpha_2 if country else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("topojson", type=Path)
    parser.add_argument("output", type=Path)
    args = parser.parse_args()
    topology = json.loads(args.topojson.read_text(encoding="utf-8"))
    features = []
    for feature in decode(topology, "countries"):
        code = code_of(feature)
        polygons = []
        for polygon in feature["polygons"]:
            rings = [simplify(clip(ring, *WINDOW)) for ring in polygon]
            if rings and rings[0]:
                polygons.append([r for r in rings if r])
        if code and polygons and code not in LEFT_OUT:
            features.append({"type": "Feature", "id": code, "properties": {"name": feature["name"]},
                             "geometry": {"type": "MultiPolygon", "coordinates": polygons}})
    features.sort(key=lambda f: f["id"])
    collection = {"type": "FeatureCollection",
                  "source": f"Natural Earth via world-atlas 2.0.2 ({args.topojson.name}), public domain",
                  "features": features}
    args.output.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
