"""The manual's exceptions: each one is a message for the user, never a traceback."""

from __future__ import annotations

import click


class ManualError(click.ClickException):
    """Base of every error the command line reports as a message and exit status 1."""


class CheckFailed(ManualError):
    """The sources have errors; the problems were already printed."""


class ConfigError(ManualError):
    """A settings file of the manual (manual.yml, themes.yml, mkdocs.yml) is unusable."""


class BuildError(ManualError):
    """A renderer (MkDocs, pandoc, Typst) failed; the outputs were left as they were."""


class MissingTool(ManualError):
    """An external program or package the build needs is not installed."""


class CodeownersError(ManualError):
    """A city folder or an owner would change the syntax of CODEOWNERS: nothing was written."""


class BuildRunning(ManualError):
    """Another build of the same outputs holds their lock: this one stopped before touching anything."""
