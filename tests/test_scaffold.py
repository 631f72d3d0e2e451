"""`new` and `new-city`: a contribution or a city card from a template, by flags or by prompts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from click.testing import CliRunner

import build_manual
from manual import scaffold

from .conftest import run


def _front(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def test_new_with_flags_writes_a_draft_that_passes_check(base_tree: Path) -> None:
    result = run("new", "--city", "nice", "--language", "fr", "--type", "practice", "--theme", "major-events",
                 "--theme", "drones", "--title", "Des policiers européens : au Carnaval", root=base_tree)
    assert result.code == 0, result
    path = base_tree / "contributions" / "nice" / "des-policiers-europeens-au-carnaval.md"
    assert result.out.startswith("Wrote contributions/nice/des-policiers-europeens-au-carnaval.md (nice-002).\n")
    assert "python build_manual.py check contributions/nice/des-policiers-europeens-au-carnaval.md" in result.out
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n# yaml-language-server: $schema=../../schema/contribution.schema.json\n")
    front = _front(path)
    assert front["id"] == "nice-002"
    assert front["title"] == "Des policiers européens : au Carnaval"
    assert (front["city"], front["language"], front["type"]) == ("nice", "fr", "practice")
    assert front["themes"] == ["major-events", "drones"]
    assert (front["status"], front["sensitivity"]) == ("draft", "public")
    assert front["submitted"] == dt.date.today()
    for heading in ("## Contexte", "## Ce qui a été fait", "## Résultats"):
        assert f"\n{heading}\n" in text
    assert "<!--" in text and "Ne nommez personne" in text
    check = run("check", root=base_tree)
    assert (check.code, check.out) == (0, ""), check
    assert "0 errors, 0 warnings" in check.err


def test_new_recommendation_in_a_language_without_guidance_falls_back_to_english(base_tree: Path) -> None:
    result = run("new", "--city", "madrid", "--language", "el", "--type", "recommendation", "--theme", "drones",
                 "--title", "Δοκιμή τίτλου για drones", root=base_tree)
    assert result.code == 0, result
    # The Greek title leaves 'drones', whose file exists: the id's number tells them apart.
    path = base_tree / "contributions" / "madrid" / "drones-002.md"
    front = _front(path)
    assert front["id"] == "madrid-002"
    assert front["recommendations"][0]["id"] == "madrid-002-r1"
    text = path.read_text(encoding="utf-8")
    assert "## Πλαίσιο" in text and "## Διδάγματα" in text
    assert "Name no one" in text
    assert run("check", root=base_tree).code == 0


def test_next_id_follows_every_id_of_the_city_even_unreadable_ones(base_tree: Path) -> None:
    broken = base_tree / "contributions" / "nice" / "broken.md"
    broken.write_text("---\nid: nice-041\ntitle: [unclosed\n---\n", encoding="utf-8")
    assert scaffold.next_id(base_tree, "nice") == "nice-042"
    assert scaffold.next_id(base_tree, "madrid") == "madrid-002"
    assert scaffold.next_id(base_tree, "nowhere") == "nowhere-001"


def test_new_through_its_prompts(base_tree: Path) -> None:
    answers = "\n".join(["nice", "fr", "lesson-learned", "9,2", "2 1", "Un retour d'expérience des drones"]) + "\n"
    result = CliRunner().invoke(build_manual.cli, ["--root", str(base_tree), "new"], input=answers)
    assert result.exit_code == 0, result.output
    assert "Cities: madrid, nice" in result.output
    assert "Gestion des foules et des grands événements" in result.output  # themes by name, in French
    assert "'9' is not one of the numbers 1 to 3" in result.output
    path = base_tree / "contributions" / "nice" / "un-retour-d-experience-des-drones.md"
    front = _front(path)
    assert front["themes"] == ["major-events", "drones"]
    assert front["type"] == "lesson-learned"
    assert "## Enseignements" in path.read_text(encoding="utf-8")
    assert run("check", root=base_tree).code == 0


def test_new_refuses_bad_answers_given_as_flags(base_tree: Path) -> None:
    result = run("new", "--city", "lyon", "--language", "fr", "--type", "practice", "--theme", "drones",
                 "--title", "Un titre", root=base_tree)
    assert result.code == 2 and "'lyon' is not a city of contributions/" in result.err
    result = run("new", "--city", "nice", "--language", "fr", "--type", "practice", "--theme", "drone",
                 "--title", "Un titre", root=base_tree)
    assert result.code == 2 and "unknown theme 'drone'" in result.err
    result = run("new", "--city", "nice", "--language", "fr", "--type", "practice", "--theme", "drones",
                 "--title", "Un", root=base_tree)
    assert result.code == 2 and "5 to 150 characters" in result.err


def test_new_city_with_flags_then_its_first_contribution(base_tree: Path) -> None:
    result = run("new-city", "--id", "xabia", "--name", "Xàbia", "--country", "es", "--police-force",
                 "Policia Local de Xàbia", "--network", "EU-POLNET", "--network", "PACTESUR 2", "--lat", "38.7896",
                 "--lon", "0.1661", root=base_tree)
    assert result.code == 0, result
    card = base_tree / "contributions" / "xabia" / "city.yml"
    assert card.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=../../schema/city.schema.json")
    data = yaml.safe_load(card.read_text(encoding="utf-8"))
    assert data == {"name": "Xàbia", "country": "ES", "police_force": "Policia Local de Xàbia",
                    "networks": ["EU-POLNET", "PACTESUR 2"], "coordinates": {"lat": 38.7896, "lon": 0.1661}}
    assert run("check", root=base_tree).code == 0
    result = run("new", "--city", "xabia", "--language", "es", "--type", "practice", "--theme", "drones",
                 "--title", "Drones en la playa", root=base_tree)
    assert result.code == 0 and "(xabia-001)" in result.out
    assert "## Contexto" in (base_tree / "contributions" / "xabia" / "drones-en-la-playa.md").read_text("utf-8")
    assert run("check", root=base_tree).code == 0


def test_new_city_through_its_prompts_validates_the_country(base_tree: Path) -> None:
    answers = "\n".join(["Liège", "", "Belgium", "Police locale de Liège", "EU-POLNET, Nowhere", "EU-POLNET",
                         "50,6326", "5.5797"]) + "\n"
    result = CliRunner().invoke(build_manual.cli, ["--root", str(base_tree), "new-city"], input=answers)
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((base_tree / "contributions" / "liege" / "city.yml").read_text("utf-8"))
    assert data["country"] == "BE" and data["coordinates"] == {"lat": 50.6326, "lon": 5.5797}
    assert "give networks among" in result.output
    result = run("new-city", "--id", "atlantis", "--name", "Atlantis", "--country", "XX", "--police-force", "P",
                 "--network", "Efus", "--lat", "1", "--lon", "1", root=base_tree)
    assert result.code == 2 and "'XX' is not a country" in result.err


def _template(guide: str) -> str:
    import re

    from .conftest import REPO
    text = (REPO / guide).read_text(encoding="utf-8")
    return re.search(r"```markdown\n(---\n.*?)```", text, re.DOTALL).group(1)


def test_the_templates_of_the_contributing_guides_pass_check_as_written(base_tree: Path) -> None:
    for guide, name in (("CONTRIBUTING.md", "from-the-guide.md"), ("CONTRIBUTING.fr.md", "depuis-le-guide.md")):
        text = _template(guide)
        if guide.endswith(".fr.md"):
            text = text.replace("id: nice-009", "id: nice-010")
        (base_tree / "contributions" / "nice" / name).write_text(text, encoding="utf-8")
    result = run("check", root=base_tree)
    assert (result.code, result.out) == (0, ""), result
    assert "0 errors, 0 warnings" in result.err


def test_the_guides_template_matches_what_new_writes() -> None:
    guide = _template("CONTRIBUTING.md")
    made = scaffold.contribution_text(contribution_id="nice-009", city="nice", language="en", type_="practice",
                                      theme_ids=["major-events"], title="Your title", submitted=dt.date(2026, 1, 15))
    front = lambda text: text.split("---\n")[1].split("# Optional")[0]
    assert front(guide) == front(made)
    for heading in ("## Context", "## What was done", "## Results"):
        assert heading in guide and heading in made


def test_every_command_has_examples_and_exit_codes_in_its_help() -> None:
    for name in build_manual.cli.commands:
        result = CliRunner().invoke(build_manual.cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Examples:" in result.output, name
        assert "0  success" in result.output and "2  wrong usage" in result.output, name
    top = CliRunner().invoke(build_manual.cli, ["--help"]).output
    assert "--quiet" in top and "--verbose" in top and "NO_COLOR" in top and "Exit status:" in top


def test_quiet_keeps_problems_and_drops_the_rest(base_tree: Path) -> None:
    assert run("--quiet", "check", root=base_tree).err == ""
    result = run("--quiet", "new", "--city", "nice", "--language", "en", "--type", "practice", "--theme", "drones",
                 "--title", "Quiet title", root=base_tree)
    assert result.out == "Wrote contributions/nice/quiet-title.md (nice-002).\n"
    assert run("--quiet", "--verbose", "check", root=base_tree).code == 2


def test_colours_only_on_a_terminal_and_never_with_no_color(base_tree: Path) -> None:
    import shutil as sh

    from .conftest import FIXTURES
    sh.copyfile(FIXTURES / "check" / "unknown-theme.md", base_tree / "contributions" / "nice" / "unknown-theme.md")
    argv = ["--root", str(base_tree), "check"]
    coloured = CliRunner().invoke(build_manual.cli, argv, color=True)
    assert "\x1b[31m" in coloured.output
    plain = CliRunner(env={"NO_COLOR": "1"}).invoke(build_manual.cli, argv, color=True)
    assert "\x1b[" not in plain.output and "error [unknown-theme]" in plain.output
    assert "\x1b[" not in CliRunner().invoke(build_manual.cli, argv).output  # not a terminal


def test_codeowners_lists_every_city_folder() -> None:
    from .conftest import REPO
    text = (REPO / "CODEOWNERS").read_text(encoding="utf-8")
    lines = {line.split()[0]: line.split()[1:] for line in text.splitlines() if line and not line.startswith("#")}
    for card in (REPO / "contributions").glob("*/city.yml"):
        assert lines.get(f"/contributions/{card.parent.name}/") == [f"@eu-polnet/city-{card.parent.name}"], card
    assert lines["/docs/"] == ["@eu-polnet/editorial-board"]
    assert run("codeowners", "--check", root=REPO).code == 0


def test_codeowners_follows_a_new_city(base_tree: Path) -> None:
    assert run("codeowners", root=base_tree).code == 0
    assert run("codeowners", "--check", root=base_tree).code == 0
    run("new-city", "--id", "xabia", "--name", "Xàbia", "--country", "ES", "--police-force", "Policia Local",
        "--network", "EU-POLNET", "--lat", "38.79", "--lon", "0.17", root=base_tree)
    stale = run("codeowners", "--check", root=base_tree)
    assert stale.code == 1 and "not up to date" in stale.err
    run("codeowners", root=base_tree)
    assert "/contributions/xabia/ @eu-polnet/city-xabia" in (base_tree / "CODEOWNERS").read_text(encoding="utf-8")
