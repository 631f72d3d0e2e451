"""Without Chromium the browser tests skip with a reason, except on CI (CI=true), where they fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import require_browser


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


def test_an_installed_browser_runs(tmp_path: Path) -> None:
    browser = tmp_path / "chromium"
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)
    assert require_browser(browser, {"CI": "true"}) is None
