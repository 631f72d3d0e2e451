#!/usr/bin/env python3
"""Write a synthetic, valid manual of N contributions, the same for the same seed.

    .venv/bin/python benchmarks/generate_corpus.py --contributions 500 --out /tmp/corpus-500

The corpus copies the real settings (languages included), themes and editorial pages, and spreads
what a network of cities sends like a real one: a few large cities and many small ones, each
writing mostly in its own language; texts of uneven length, a few very long; recommendations,
images, tables, links, related contributions, reviews, contacts, drafts, withdrawn and restricted
entries. About a third of the contributions have a translation into English or French (a sibling
file `<slug>.<lang>.md`), a few of them outdated; `--no-translations` leaves them out, and the
rest of the corpus stays the same.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from manual.translate import fingerprint_texts

# Country of each synthetic city, in turn, and the language its police writes in.
COUNTRIES = {"FR": "fr", "ES": "es", "IT": "it", "PT": "pt", "BE": "fr", "NL": "nl", "PL": "pl", "LV": "lv",
             "EE": "et", "LT": "lt", "GR": "el", "HU": "hu", "SK": "sk", "DE": "de", "RO": "en", "SE": "en"}
NETWORKS = ["EU-POLNET", "PACTESUR", "PACTESUR 2", "Efus", "PRoTECT", "Secu4All", "France urbaine"]
# A few words per language, with the letters each one needs (accents, Greek), for realistic text.
WORDS = {
    "en": ["police", "municipal", "local", "city", "public", "space", "crowd", "event", "camera", "drone", "patrol", "training", "exchange", "network", "cooperation", "prevention", "night", "tourism", "crisis", "command", "centre", "school", "shop", "recruitment", "inclusion", "partner", "officer", "citizen", "safety", "security", "assessment", "vulnerability", "festival", "carnival"],
    "fr": ["police", "municipale", "ville", "espace", "public", "foule", "événement", "caméra", "drone", "patrouille", "formation", "échange", "réseau", "coopération", "prévention", "nuit", "tourisme", "crise", "centre", "école", "commerce", "recrutement", "agent", "citoyen", "sécurité", "évaluation", "vulnérabilité", "fête", "carnaval", "quartier", "médiation"],
    "es": ["policía", "local", "ciudad", "espacio", "público", "multitud", "evento", "cámara", "dron", "patrulla", "formación", "intercambio", "red", "cooperación", "prevención", "noche", "turismo", "crisis", "centro", "escuela", "comercio", "agente", "ciudadano", "seguridad", "evaluación", "vulnerabilidad", "fiesta", "barrio", "mediación"],
    "it": ["polizia", "locale", "città", "spazio", "pubblico", "folla", "evento", "telecamera", "drone", "pattuglia", "formazione", "scambio", "rete", "cooperazione", "prevenzione", "notte", "turismo", "crisi", "centro", "scuola", "negozio", "agente", "cittadino", "sicurezza", "valutazione", "vulnerabilità", "festa", "quartiere"],
    "pt": ["polícia", "municipal", "cidade", "espaço", "público", "multidão", "evento", "câmara", "drone", "patrulha", "formação", "intercâmbio", "rede", "cooperação", "prevenção", "noite", "turismo", "crise", "centro", "escola", "comércio", "agente", "cidadão", "segurança", "avaliação", "festa", "bairro"],
    "el": ["αστυνομία", "δημοτική", "πόλη", "δημόσιος", "χώρος", "πλήθος", "εκδήλωση", "κάμερα", "drone", "περιπολία", "εκπαίδευση", "ανταλλαγή", "δίκτυο", "συνεργασία", "πρόληψη", "νύχτα", "τουρισμός", "κρίση", "κέντρο", "σχολείο", "πολίτης", "ασφάλεια", "αξιολόγηση", "γιορτή", "γειτονιά"],
    "de": ["Polizei", "kommunal", "Stadt", "öffentlicher", "Raum", "Menge", "Veranstaltung", "Kamera", "Drohne", "Streife", "Ausbildung", "Austausch", "Netzwerk", "Zusammenarbeit", "Prävention", "Nacht", "Tourismus", "Krise", "Zentrum", "Schule", "Bürger", "Sicherheit", "Bewertung", "Fest", "Viertel"],
    "pl": ["policja", "straż", "miejska", "miasto", "przestrzeń", "publiczna", "tłum", "wydarzenie", "kamera", "dron", "patrol", "szkolenie", "wymiana", "sieć", "współpraca", "profilaktyka", "noc", "turystyka", "kryzys", "centrum", "szkoła", "obywatel", "bezpieczeństwo", "ocena", "święto", "dzielnica"],
}
TITLE_WORDS = WORDS["en"]
FIRST_DATE = dt.date(2019, 1, 1)
LAST_DATE = dt.date(2025, 12, 31)
IMAGE = ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">'
         '<rect width="120" height="40" fill="#dde"/><circle cx="{x}" cy="20" r="12" fill="#338"/></svg>\n')


def words(lang: str) -> list[str]:
    return WORDS.get(lang, WORDS["en"])


def sentence(rng: random.Random, lang: str = "en", length: int = 14) -> str:
    text = " ".join(rng.choice(words(lang)) for _ in range(length))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, lang: str, sentences: int = 4) -> str:
    return " ".join(sentence(rng, lang, rng.randint(8, 20)) for _ in range(sentences))


def day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def section_text(rng: random.Random, lang: str, long: bool, index: int) -> str:
    """Return the Markdown of one section: paragraphs, sometimes a list, a table, a quote or a link."""
    count = rng.randint(6, 10) if long else rng.choice([1, 1, 2, 2, 2, 3])
    blocks = [paragraph(rng, lang, rng.randint(2, 5)) for _ in range(count)]
    roll = rng.random()
    if roll < 0.15:
        blocks.append("\n".join(f"- {sentence(rng, lang, rng.randint(4, 9))}" for _ in range(rng.randint(2, 5))))
    elif roll < 0.22:
        blocks.append(f"| {rng.choice(words(lang))} | {rng.choice(words(lang))} |\n|---|---|\n" + "\n".join(
            f"| {rng.choice(words(lang))} | {rng.randint(1, 500)} |" for _ in range(rng.randint(2, 6))))
    elif roll < 0.27:
        blocks.append(f"> {sentence(rng, lang)}")
    elif roll < 0.35:
        blocks.append(f"More on the **{rng.choice(words(lang))}** programme: "
                      f"[the city's page](https://example.org/{index}/{rng.randint(1, 99)}).")
    return "\n\n".join(blocks)


def body_text(rng: random.Random, sections: dict, kind: str, lang: str, long: bool, image: str | None) -> str:
    """Return the body: the required sections of `kind` with their headings in `lang`."""
    body = ""
    for number, section in enumerate(sections["required"][kind]):
        body += f"\n## {sections['sections'][section][lang]}\n\n{section_text(rng, lang, long, number)}\n"
    if image:
        body += f"\n![{sentence(rng, lang, 5)[:-1]}]({image})\n"
    return body


def front_matter(front: dict) -> str:
    return "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=100) + "---\n"


def generate(out: Path, count: int, seed: int, *, translations: bool = True) -> dict[str, int]:
    """Write the corpus into `out` (which must not exist); return what it holds, by kind."""
    rng = random.Random(seed)
    out.mkdir(parents=True)
    for name in ("manual.yml", "themes.yml", "mkdocs.yml"):
        shutil.copyfile(REPO / name, out / name)
    for name in ("docs", "overrides"):
        shutil.copytree(REPO / name, out / name)
    themes = [t["id"] for t in yaml.safe_load((REPO / "themes.yml").read_text(encoding="utf-8"))]
    sections = yaml.safe_load((REPO / "schema" / "sections.yml").read_text(encoding="utf-8"))
    codes = list(COUNTRIES)
    cities = [f"city{index:03d}" for index in range(max(2, count // 12))]
    city_language = {}
    for index, city in enumerate(cities):
        folder = out / "contributions" / city
        folder.mkdir(parents=True)
        country = codes[index % len(codes)]
        city_language[city] = COUNTRIES[country]
        data = {"name": f"City {index}", "country": country, "police_force": f"Municipal police of city {index}",
                "networks": sorted(rng.sample(NETWORKS, rng.randint(1, 3)), key=NETWORKS.index),
                "coordinates": {"lat": round(35 + rng.random() * 25, 4), "lon": round(-9 + rng.random() * 35, 4)}}
        if rng.random() < 0.2:
            data["names"] = {"en": f"City {index} (en)", "fr": f"Ville {index}"}
        (folder / "city.yml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    # A few large cities and many small ones: every city sends one, the rest follow a Zipf-like law.
    weights = [1 / (rank + 1) ** 0.9 for rank in range(len(cities))]
    numbers = {city: 0 for city in cities}
    ids: list[str] = []
    originals = []
    stats = {"contributions": count, "cities": len(cities), "translations": 0, "outdated": 0, "images": 0}
    for index in range(count):
        city = cities[index] if index < len(cities) else rng.choices(cities, weights)[0]
        numbers[city] += 1
        cid = f"{city}-{numbers[city]:03d}"
        lang = city_language[city] if rng.random() < 0.7 else "en"
        kind = rng.choice(["practice", "practice", "lesson-learned", "recommendation"])
        submitted = day(rng, FIRST_DATE, LAST_DATE - dt.timedelta(days=30))
        front = {
            "id": cid, "title": sentence(rng, lang, rng.randint(4, 9))[:-1], "city": city, "language": lang,
            "themes": rng.sample(themes, rng.choice([1, 1, 2, 2, 3])), "type": kind,
            "summary": " ".join(sentence(rng, lang, rng.randint(10, 18)) for _ in range(rng.randint(1, 2))),
            "status": rng.choices(["approved", "draft", "submitted", "withdrawn"], [85, 7, 7, 1])[0],
            "sensitivity": "restricted" if rng.random() < 0.03 else "public",
            "submitted": submitted.isoformat(),
            "evidence": rng.choice(["evaluated", "multi-city", "single-city", "single-city", "expert-opinion"]),
        }
        if rng.random() < 0.4:
            reviewed = day(rng, submitted, LAST_DATE)
            front["last_reviewed"] = reviewed.isoformat()
            front["review_by"] = (reviewed + dt.timedelta(days=rng.choice([730, 1095, 1461]))).isoformat()
        recs = rng.choice([1, 1, 2, 2, 3, 4]) if kind == "recommendation" else rng.choice([0, 0, 1, 1, 2, 3])
        if recs:
            front["recommendations"] = [{"id": f"{cid}-r{n}", "text": " ".join(
                sentence(rng, lang, rng.randint(10, 20)) for _ in range(rng.randint(1, 2)))} for n in range(1, recs + 1)]
            for rec in front["recommendations"]:
                if rng.random() < 0.7:
                    rec["strength"] = rng.choice(["strong", "conditional"])
        if ids and rng.random() < 0.2:
            front["related"] = sorted(set(rng.sample(ids, min(len(ids), rng.randint(1, 3)))))
        if ids and rng.random() < 0.01:
            front["supersedes"] = [rng.choice(ids)]
        if rng.random() < 0.15:
            front["events"] = [{"name": f"Festival {rng.choice(TITLE_WORDS)}", "year": rng.randint(2015, 2025)}]
        if rng.random() < 0.9:
            front["tags"] = sorted(set(rng.sample(TITLE_WORDS, rng.randint(1, 4))))
        if rng.random() < 0.5:
            front["contacts"] = [{"role": "Head of the municipal police", "organisation": f"City {cities.index(city)}"}]
        image = None
        if rng.random() < 0.1:
            image = f"{cid}.svg"
            stats["images"] += 1
            (out / "contributions" / city / image).write_text(IMAGE.format(x=rng.randint(15, 105)), encoding="utf-8")
        long = rng.random() < 0.02
        body = body_text(rng, sections, kind, lang, long, image)
        slug = f"{'-'.join(rng.sample(TITLE_WORDS, 2))}-{numbers[city]}"
        (out / "contributions" / city / f"{slug}.md").write_text(front_matter(front) + body, encoding="utf-8")
        ids.append(cid)
        originals.append((city, slug, front, body, long, image))
    if translations:
        # Their own random stream, so that the originals are the same with or without them.
        trng = random.Random(f"{seed}-translations")
        for city, slug, front, body, long, image in originals:
            if trng.random() >= 1 / 3:
                continue
            lang = front["language"]
            targets = {"en": ["fr"], "fr": ["en"]}.get(lang) or trng.choices([["en"], ["fr"], ["en", "fr"]],
                                                                               [6, 3, 1])[0]
            for target in targets:
                outdated = trng.random() < 0.08
                write_translation(trng, out / "contributions" / city / f"{slug}.{target}.md", front, body,
                                  sections, target, long, image, outdated)
                stats["translations"] += 1
                stats["outdated"] += outdated
    return stats


def write_translation(rng: random.Random, path: Path, front: dict, body: str, sections: dict, lang: str,
                      long: bool, image: str | None, outdated: bool) -> None:
    """Write a translation of the original `front` + `body` into `lang`, made from its current text."""
    recommendations = [(r["id"], r["text"]) for r in front.get("recommendations", [])]
    if outdated:
        # Made from an earlier version of the original, whose summary said something slightly different.
        summary = front["summary"].replace(".", " " + rng.choice(words(front["language"])) + ".", 1)
        source = fingerprint_texts(front["title"], summary, recommendations, body)
    else:
        source = fingerprint_texts(front["title"], front["summary"], recommendations, body)
    data = {"translation_of": front["id"], "language": lang, "source_fingerprint": source,
            "title": sentence(rng, lang, rng.randint(4, 9))[:-1],
            "summary": " ".join(sentence(rng, lang, rng.randint(10, 18)) for _ in range(rng.randint(1, 2)))}
    if recommendations:
        data["recommendations"] = [{"id": rec_id, "text": sentence(rng, lang, rng.randint(10, 20))}
                                   for rec_id, _ in recommendations]
    translated = body_text(rng, sections, front["type"], lang, long, image)
    path.write_text(front_matter(data) + translated, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contributions", type=int, default=100, help="how many original contributions")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, required=True, help="the folder to create (must not exist)")
    parser.add_argument("--no-translations", dest="translations", action="store_false",
                        help="leave out the translations (<slug>.<lang>.md files)")
    args = parser.parse_args()
    stats = generate(args.out, args.contributions, args.seed, translations=args.translations)
    print(", ".join(f"{value} {name}" for name, value in stats.items()) + f" in {args.out}")


if __name__ == "__main__":
    main()
