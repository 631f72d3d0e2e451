#!/usr/bin/env python3
"""Write a synthetic, valid manual of N contributions, the same for the same seed.

    .venv/bin/python benchmarks/generate_corpus.py --contributions 500 --out /tmp/corpus-500

The corpus copies the real settings, themes and editorial pages, and spreads cities, countries,
languages, themes, types, recommendations, images, drafts and restricted entries like a real one.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
COUNTRIES = ["FR", "ES", "IT", "PT", "BE", "NL", "PL", "LV", "EE", "LT", "GR", "HU", "SK", "DE", "RO", "SE"]
LANGUAGES = ["en", "fr", "es", "it", "pt", "el"]
WORDS = ("police municipal local city public space crowd event camera drone patrol training exchange network "
         "cooperation prevention night tourism crisis command centre school shop recruitment inclusion "
         "partner officer citizen safety security assessment vulnerability festival carnival").split()
IMAGE = ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">'
         '<rect width="120" height="40" fill="#dde"/><circle cx="{x}" cy="20" r="12" fill="#338"/></svg>\n')


def sentence(rng: random.Random, words: int = 14) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, sentences: int = 4) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


def generate(out: Path, count: int, seed: int) -> None:
    """Write the corpus into `out` (which must not exist)."""
    rng = random.Random(seed)
    out.mkdir(parents=True)
    for name in ("manual.yml", "themes.yml", "mkdocs.yml"):
        shutil.copyfile(REPO / name, out / name)
    for name in ("docs", "overrides"):
        shutil.copytree(REPO / name, out / name)
    themes = [t["id"] for t in yaml.safe_load((REPO / "themes.yml").read_text(encoding="utf-8"))]
    sections = yaml.safe_load((REPO / "schema" / "sections.yml").read_text(encoding="utf-8"))
    cities = [f"city{index:03d}" for index in range(max(2, count // 12))]
    for index, city in enumerate(cities):
        folder = out / "contributions" / city
        folder.mkdir(parents=True)
        (folder / "city.yml").write_text(yaml.safe_dump({
            "name": f"City {index}", "country": COUNTRIES[index % len(COUNTRIES)],
            "police_force": f"Municipal police of city {index}", "networks": ["Efus"],
            "coordinates": {"lat": round(35 + rng.random() * 25, 4), "lon": round(-9 + rng.random() * 35, 4)},
        }, sort_keys=False), encoding="utf-8")
    numbers = {city: 0 for city in cities}
    for index in range(count):
        city = cities[index % len(cities)]
        numbers[city] += 1
        cid = f"{city}-{numbers[city]:03d}"
        lang = rng.choice(LANGUAGES)
        kind = rng.choice(["practice", "practice", "lesson-learned", "recommendation"])
        front = {
            "id": cid, "title": sentence(rng, 7)[:-1], "city": city, "language": lang,
            "themes": rng.sample(themes, rng.randint(1, 3)), "type": kind, "summary": sentence(rng, 20),
            "status": rng.choices(["approved", "draft", "submitted"], [85, 8, 7])[0],
            "sensitivity": "restricted" if rng.random() < 0.03 else "public",
            "submitted": f"{rng.randint(2019, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "evidence": rng.choice(["evaluated", "multi-city", "single-city", "expert-opinion"]),
        }
        recs = rng.randint(1 if kind == "recommendation" else 0, 3)
        if recs:
            front["recommendations"] = [{"id": f"{cid}-r{n}", "text": sentence(rng, 18),
                                         "strength": rng.choice(["strong", "conditional"])}
                                        for n in range(1, recs + 1)]
        front["tags"] = sorted(set(rng.sample(WORDS, 2)))
        body = ""
        for section in sections["required"][kind]:
            body += f"\n## {sections['sections'][section][lang]}\n\n{paragraph(rng)}\n\n{paragraph(rng)}\n"
        folder = out / "contributions" / city
        if rng.random() < 0.1:
            (folder / f"{cid}.svg").write_text(IMAGE.format(x=rng.randint(15, 105)), encoding="utf-8")
            body += f"\n![A diagram of {cid}]({cid}.svg)\n"
        text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n" + body
        (folder / f"{cid}.md").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contributions", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    generate(args.out, args.contributions, args.seed)


if __name__ == "__main__":
    main()
