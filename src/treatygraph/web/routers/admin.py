"""``POST /admin/backup``: a consistent copy of the running store, with the write token.

RocksDB locks a store's folder, so only the process that serves a store can copy it while it
serves (``treatygraph backup`` works on a store nobody serves). The copy is a RocksDB
checkpoint taken between two writes, into a new subfolder of ``settings.backup_dir``
(``treatygraph-YYYYMMDDTHHMMSSZ``); the client cannot choose the path. Without
``backup_dir`` the endpoint answers 404; a store that cannot be copied (in memory, remote)
gets 400.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from treatygraph.errors import BadInput, NotFound, StoreError
from treatygraph.store.base import SupportsBackup
from treatygraph.web.deps import SettingsDep, StoreDep, WriteAccess, WriterDep

router = APIRouter(prefix="/admin", tags=["operations"])


@router.post("/backup", status_code=201, response_model=None)
async def backup(
    _: WriteAccess, store: StoreDep, writer: WriterDep, settings: SettingsDep
) -> JSONResponse:
    """Copy the store into a new folder under ``backup_dir``; 201 with its name."""
    if settings.backup_dir is None:
        raise NotFound("backups are off: start the server with --backup-dir DIR")
    if not isinstance(store, SupportsBackup) or not store.capabilities.persistent:
        raise BadInput("this store cannot be copied here (in memory or remote): export it")
    folder = Path(settings.backup_dir)
    target = await run_in_threadpool(_new_target, folder)
    await writer.submit(writer.exclusive, lambda: store.backup(target))
    return JSONResponse({"backup": target.name, "path": str(target)}, status_code=201)


def _new_target(folder: Path) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the backup folder: {exc.strerror}") from exc
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = folder / f"treatygraph-{stamp}"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"treatygraph-{stamp}-{n}"
    return target
