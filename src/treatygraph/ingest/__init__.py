"""From article files to checked, sourced facts: reading articles, drafting and loading facts.

:func:`ingest` is the whole path for one file — read, extract, build, check every quote
against the body, then SHACL in the store's neighbourhood and one atomic change — and
:func:`ingest_folder` runs it file by file. The heavy modules (extractor, loader, pySHACL)
are imported on first use, so that ``treatygraph.ingest.article`` stays cheap to import for
the loader and the provenance module, which need it.

Folder policy: one bad article does not stop the others. Each article is its own atomic
change, so after a folder ingest the store holds exactly the articles whose outcome is ok;
the CLI reports every failure and exits non-zero if there was any.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from treatygraph.config import Settings
from treatygraph.ingest.result import Fact, FolderOutcome, IngestResult, Progress
from treatygraph.store.base import Store

__all__ = [
    "Fact",
    "FolderOutcome",
    "IngestResult",
    "Progress",
    "ingest",
    "ingest_folder",
    "ingest_text",
]


def ingest(
    path: Path, store: Store, settings: Settings, progress: Progress | None = None
) -> IngestResult:
    """Ingest one article file into ``store``: all of its facts, checked, or nothing.

    Raises ArticleFormatError (the file is not in the corpus format), ShapeViolation (the
    draft does not conform, or a quote is not verbatim) or StoreError; the store is then
    unchanged. Idempotent: the same article again writes nothing, a changed draft replaces
    the article's graph. ``settings`` names the data folder whose reference graph an empty
    store is given first.
    """
    from treatygraph.ingest.baseline import has_reference, load_reference
    from treatygraph.ingest.pipeline import ingest_file

    if not has_reference(store):
        load_reference(store, settings.data_dir)
    return ingest_file(path, store, progress)


def ingest_folder(
    paths: Path | Sequence[Path],
    store: Store,
    settings: Settings,
    progress: Progress | None = None,
    *,
    dry_run: bool = False,
) -> list[FolderOutcome]:
    """Ingest every article of folders and files (``*.txt`` of a folder, sorted), one by one.

    A failing article is reported in its outcome and the others still load; see the module
    docstring. With ``dry_run`` nothing is written to ``store``; if it has no reference data,
    the drafts are made against a scratch in-memory store holding the bundled reference.
    """
    from treatygraph.ingest.baseline import has_reference, load_reference
    from treatygraph.ingest.pipeline import article_files, ingest_paths
    from treatygraph.store import open_store

    files = article_files([paths] if isinstance(paths, Path) else list(paths))
    if has_reference(store):
        return ingest_paths(files, store, progress, dry_run=dry_run)
    if not dry_run:
        load_reference(store, settings.data_dir)
        return ingest_paths(files, store, progress)
    scratch = open_store(settings.model_copy(update={"store": "memory", "write_token": None}))
    try:
        load_reference(scratch, settings.data_dir)
        return ingest_paths(files, scratch, progress, dry_run=True)
    finally:
        scratch.close()


def ingest_text(
    content: str, store: Store, settings: Settings, slug: str | None = None
) -> IngestResult:
    """Ingest an article given as text in the corpus format (an HTTP body), like :func:`ingest`.

    ``slug`` names the article (``id/article/{slug}``); by default it is made from the
    header's date and headline (or publisher), so posting the same article again replaces it.
    Raises ArticleFormatError for a bad header or slug, ShapeViolation, StoreError.
    """
    from treatygraph.ingest.baseline import has_reference, load_reference
    from treatygraph.ingest.pipeline import article_from_text, ingest_article

    article = article_from_text(content, slug)
    if not has_reference(store):
        load_reference(store, settings.data_dir)
    return ingest_article(article, store)
