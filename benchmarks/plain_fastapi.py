#!/usr/bin/env python3
"""A plain FastAPI layer over pyoxigraph: the reference point for treatygraph's web layer.

What a developer writes in ten minutes: one ``def`` route (FastAPI runs it in its thread
pool), the form or query parameter read by FastAPI, ``Store.query`` and pyoxigraph's own
SPARQL JSON serialiser, the whole body returned at once. No time limit, no result limit,
no streaming, no error mapping beyond 400: it answers the same questions, without any of
treatygraph's guarantees. Used by ``run.py --engines plain-fastapi`` and by hand::

    python benchmarks/plain_fastapi.py --store DIR --port 8001          # read-only, on disk
    python benchmarks/plain_fastapi.py --load FILE.nq --port 8001       # in memory

``--http h11 --loop asyncio`` serves it as ``pip install fastapi uvicorn`` would, without
uvicorn's ``[standard]`` extras (httptools and uvloop, which treatygraph depends on and
uvicorn then picks by default).
"""

from __future__ import annotations

import argparse
from typing import Annotated

import pyoxigraph as ox
import uvicorn
from fastapi import FastAPI, Form, HTTPException, Response


def create_app(store: ox.Store) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None)

    def answer(query: str) -> Response:
        try:
            result = store.query(query, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise HTTPException(400, str(exc)) from None
        if isinstance(result, ox.QuerySolutions | ox.QueryBoolean):
            body = result.serialize(format=ox.QueryResultsFormat.JSON)
            return Response(body, media_type="application/sparql-results+json")
        body = result.serialize(format=ox.RdfFormat.N_TRIPLES)
        return Response(body, media_type="application/n-triples")

    @app.get("/sparql")
    def get(query: str) -> Response:
        return answer(query)

    @app.post("/sparql")
    def post(query: Annotated[str, Form()]) -> Response:
        return answer(query)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--store", help="a pyoxigraph store folder, opened read-only")
    where.add_argument("--load", help="an N-Quads file loaded into an in-memory store")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--http", default="auto", choices=("auto", "h11", "httptools"))
    parser.add_argument("--loop", default="auto", choices=("auto", "asyncio", "uvloop"))
    args = parser.parse_args()
    if args.store:
        store = ox.Store.read_only(args.store)
    else:
        store = ox.Store()
        store.bulk_load(path=args.load, format=ox.RdfFormat.N_QUADS)
    uvicorn.run(
        create_app(store),
        host=args.host,
        port=args.port,
        log_level="warning",
        http=args.http,
        loop=args.loop,
    )


if __name__ == "__main__":
    main()
