"""What a bulk load has already written, kept in a local file so an interrupted load resumes.

A load into a store that takes writes in parts (a remote store: each part one atomic
request) records, after each part, the content hash and triple count of every graph it
wrote. ``treatygraph load --resume`` then skips a graph whose content has the same hash as
recorded *and* which the store still holds with the recorded number of triples, so a store
emptied or changed by someone else since is loaded again.

Why a local file and not a manifest in the store: the store then holds exactly the data
that was loaded (an export loads back to the same quads, and SHACL, VoID and queries see no
bookkeeping), and the progress is the business of the machine that runs the load. The file
is ``state_dir/load-<hash of the store's address>.json``; deleting it only costs a full load.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from treatygraph.config import Settings
from treatygraph.store.base import Store

_BNODE = re.compile(rb"_:\S+")


def graph_hash(graph: Graph) -> str:
    """SHA-256 of a graph's sorted N-Triples, blank node labels left out (they differ from
    parse to parse); two graphs that differ only in how blank nodes connect hash alike."""
    lines = graph.serialize(format="nt", encoding="utf-8").splitlines()
    digest = hashlib.sha256()
    for line in sorted(_BNODE.sub(b"_:", line) for line in lines if line.strip()):
        digest.update(line + b"\n")
    return digest.hexdigest()


@dataclass
class LoadState:
    """Graphs written by earlier loads into one store: IRI → (content hash, triples)."""

    path: Path
    graphs: dict[str, tuple[str, int]] = field(default_factory=dict)

    @classmethod
    def for_store(cls, settings: Settings) -> LoadState:
        """The state of loads into the store ``settings`` name (empty if none yet)."""
        where = settings.remote_endpoint or str(Path(settings.store).expanduser().resolve())
        name = hashlib.sha256(where.encode()).hexdigest()[:16]
        return cls.read(settings.state_folder() / f"load-{name}.json")

    @classmethod
    def read(cls, path: Path) -> LoadState:
        try:
            recorded = json.loads(path.read_text("utf-8"))
            graphs = {g: (str(h), int(n)) for g, (h, n) in recorded["graphs"].items()}
        except FileNotFoundError:
            graphs = {}
        except (OSError, ValueError, KeyError, TypeError):
            graphs = {}  # unreadable: the load starts over, which is always safe
        return cls(path, graphs)

    def holds(self, store: Store, graph: str, digest: str, triples: int) -> bool:
        """Whether ``graph`` was written with this content and the store still has it."""
        return self.graphs.get(graph) == (digest, triples) and store.count(graph) == triples

    def record(self, written: dict[str, tuple[str, int]]) -> None:
        """Note graphs as written, at once on disk (write and rename: never half a file)."""
        self.graphs.update(written)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        part = self.path.with_suffix(".part")
        part.write_text(json.dumps({"graphs": self.graphs}, indent=0), "utf-8")
        os.replace(part, self.path)
