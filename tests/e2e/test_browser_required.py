"""Without Chromium the browser tests skip with a reason, except on CI (CI=true), where they fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import CHROMIUM, require_browser


def test_missing_browser_fails_on_ci(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match=r"CI=true: the browser tests need Chromium at .*apt-get"):
        require_browser(tmp_path / "chromium", {"CI": "true"})


def test_missing_browser_skips_elsewhere_with_a_reason(tmp_path: Path) -> None:
    with pytest.raises(pytest.skip.Exception, match=r"need Chromium at .*chromium: install it with 'apt-get"):
        require_browser(tmp_path / "chromium", {})


def test_a_file_that_cannot_run_is_no_browser(tmp_path: Path) -> None:
    (tmp_path / "chromium").write_text("")
    with pytest.raises(pytest.skip.Exception):
        require_browser(tmp_path / "chromium", {"CI": "false"})


def test_an_executable_that_is_not_chromium_is_no_browser(tmp_path: Path) -> None:
    impostor = tmp_path / "chromium"
    impostor.write_text("#!/bin/sh\necho hello\n")
    impostor.chmod(0o755)
    with pytest.raises(pytest.fail.Exception, match=r"does not run as Chromium \(hello\)"):
        require_browser(impostor, {"CI": "true"})


def test_the_installed_browser_runs() -> None:
    if CHROMIUM.is_file():
        assert require_browser(CHROMIUM, {"CI": "true"}) is None
    else:
        with pytest.raises(pytest.skip.Exception):
            require_browser(CHROMIUM, {})
