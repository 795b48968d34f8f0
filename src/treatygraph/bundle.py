"""Where the bundled ontology, data and queries are, installed or in a checkout.

A wheel carries them under ``treatygraph/_bundled`` (hatch ``force-include``); an editable
install or a source checkout finds them at the repository's top level.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def bundled_root() -> Path:
    """The folder that holds ``ontology/``, ``data/`` and ``queries/``."""
    installed = _PACKAGE / "_bundled"
    if (installed / "ontology").is_dir():
        return installed
    checkout = _PACKAGE.parents[1]
    if (checkout / "ontology").is_dir():
        return checkout
    raise FileNotFoundError(
        f"the bundled ontology is missing: looked in {installed} and {checkout}"
    )


def ontology_dir() -> Path:
    return bundled_root() / "ontology"


def data_dir() -> Path:
    return bundled_root() / "data"


def queries_dir() -> Path:
    return bundled_root() / "queries"
