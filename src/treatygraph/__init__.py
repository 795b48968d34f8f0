"""treatygraph: a knowledge graph of defense agreements between states.

The public API is small: :class:`Settings` configures everything, :func:`open_store` opens
the store the settings name, :func:`validate` checks data against the shapes, and
:func:`load_bundled` puts the bundled graph into a store.
"""

from treatygraph._version import __version__
from treatygraph.config import Settings
from treatygraph.store import open_store

__all__ = ["Settings", "__version__", "load_bundled", "open_store", "validate"]


def __getattr__(name: str) -> object:
    # validation and loading import pySHACL, which is slow to import: load them on first use.
    if name == "validate":
        from treatygraph.validation import validate

        return validate
    if name == "load_bundled":
        from treatygraph.loader import load_bundled

        return load_bundled
    raise AttributeError(name)
