"""The docs describe what exists: every setting, every command, the README's commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from treatygraph.cli import main
from treatygraph.config import Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text("utf-8")
CONFIGURATION = (ROOT / "docs" / "configuration.md").read_text("utf-8")


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    assert f"`{name}`" in CONFIGURATION
    assert f"`TREATYGRAPH_{name.upper()}`" in CONFIGURATION


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"`treatygraph {command}" in README


def test_readme_quick_start_installs_serves_and_tests() -> None:
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.S)
    assert "pip install -e '.[test]'" in blocks[0] and "treatygraph serve" in blocks[0]
    assert blocks[1].strip() == "pytest"
    assert "pytest" in (ROOT / ".ci" / "run").read_text("utf-8").splitlines()


def test_readme_links_exist() -> None:
    for target in re.findall(r"\]\(([^)#:]+)\)", README):
        assert (ROOT / target).exists(), target
