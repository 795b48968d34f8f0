"""One settings object for the whole service, built at the edge (CLI or tests) and passed down.

Every field can be set by a CLI flag or a ``TREATYGRAPH_<FIELD>`` environment variable; nothing
else in the package reads the environment, so a test can build any configuration it needs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from treatygraph.namespaces import DEFAULT_BASE_IRI

MEMORY_STORES = frozenset({"memory", "memory:", ":memory:"})


class Settings(BaseSettings):
    """Configuration of treatygraph; see ``docs/configuration.md`` for each field."""

    model_config = SettingsConfigDict(
        env_prefix="TREATYGRAPH_", frozen=True, extra="forbid", validate_default=True
    )

    store: Annotated[
        str,
        Field(
            description=(
                "Where the graph lives: 'memory' (embedded, in memory, rebuilt from the bundled "
                "data at start), a directory path (embedded, persistent), or the http(s) URL of "
                "a SPARQL 1.1 query endpoint."
            )
        ),
    ] = "memory"
    query_endpoint: Annotated[
        str | None,
        Field(
            description=(
                "SPARQL 1.1 query endpoint of a remote store: the same as giving its URL as "
                "the store."
            )
        ),
    ] = None
    update_endpoint: Annotated[
        str | None,
        Field(
            description=(
                "SPARQL 1.1 Update endpoint of a remote store (default: derived from the "
                "query endpoint for the engine, else the query endpoint itself)."
            )
        ),
    ] = None
    graph_store_endpoint: Annotated[
        str | None,
        Field(
            description=(
                "Graph Store HTTP Protocol endpoint of a remote store (default: derived from "
                "the query endpoint where the engine has a known one; else not used)."
            )
        ),
    ] = None
    store_dialect: Annotated[
        Literal["auto", "oxigraph", "fuseki", "graphdb", "virtuoso", "neptune", "generic"],
        Field(
            description=(
                "The engine behind a remote store, which decides how its default graph is "
                "made the union of the named graphs; 'auto' asks the server who it is."
            )
        ),
    ] = "auto"
    store_user: Annotated[
        str | None, Field(description="User name for HTTP authentication to a remote store.")
    ] = None
    store_password: Annotated[
        SecretStr | None, Field(description="Password for HTTP authentication to a remote store.")
    ] = None
    store_token: Annotated[
        SecretStr | None, Field(description="Bearer token sent to a remote store.")
    ] = None
    store_auth_scheme: Annotated[
        Literal["basic", "digest"],
        Field(description="HTTP authentication scheme for the store user and password."),
    ] = "basic"
    store_batch_triples: Annotated[
        int,
        Field(
            gt=0,
            description=(
                "Most triples sent to a remote store in one write request; larger changes "
                "are staged in batches and moved into place at once."
            ),
        ),
    ] = 50_000
    state_dir: Annotated[
        Path | None,
        Field(
            description=(
                "Folder for local state, such as the progress of bulk loads for --resume "
                "(default: ~/.local/state/treatygraph)."
            )
        ),
    ] = None
    base_iri: Annotated[
        str,
        Field(
            description=(
                "Public base IRI of resources; /id/... paths resolve relative to it. Defaults to "
                "the w3id.org namespace of the project."
            )
        ),
    ] = DEFAULT_BASE_IRI
    data_dir: Annotated[
        Path | None,
        Field(description="Folder with articles/ and graphs/ to load at start (default: bundled)."),
    ] = None
    load_bundled: Annotated[
        bool, Field(description="Load the bundled ontology and data into the store at start.")
    ] = True
    host: Annotated[str, Field(description="Interface the HTTP server binds to.")] = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535, description="TCP port of the HTTP server.")] = 8000
    write_token: Annotated[
        SecretStr | None,
        Field(description="Bearer token that enables writes; without it the service is read-only."),
    ] = None
    query_timeout: Annotated[
        float, Field(gt=0, description="Seconds a query may run before it is stopped.")
    ] = 30.0
    max_results: Annotated[
        int, Field(gt=0, description="Most rows (or triples) a query response carries.")
    ] = 100_000
    max_concurrent_queries: Annotated[
        int, Field(gt=0, description="Queries run at once; more get 503 with Retry-After.")
    ] = 8
    isolate_queries: Annotated[
        bool,
        Field(
            description=(
                "Run queries on the embedded store in worker processes that are killed at the "
                "time limit, so a runaway query really stops (Linux; elsewhere queries run in "
                "the server process). Costs a second in-memory copy of the data."
            )
        ),
    ] = True
    max_body_bytes: Annotated[
        int, Field(gt=0, description="Largest request body accepted, in bytes.")
    ] = 10 * 1024 * 1024
    update_timeout: Annotated[
        float,
        Field(
            gt=0,
            description=(
                "Seconds a write (SPARQL Update, Graph Store request, article) may take, "
                "waiting in line included; past it the write is abandoned before it commits."
            ),
        ),
    ] = 30.0
    max_queued_writes: Annotated[
        int,
        Field(
            ge=0,
            description=(
                "Writes that may wait while another one runs (writes run one at a time); "
                "more get 503 with Retry-After."
            ),
        ),
    ] = 16
    backup_dir: Annotated[
        Path | None,
        Field(
            description=(
                "Folder where POST /admin/backup puts consistent copies of the running "
                "store (one new subfolder per backup); without it that endpoint is off."
            )
        ),
    ] = None
    federation: Annotated[bool, Field(description="Allow SERVICE clauses (federated queries).")] = (
        False
    )
    federation_allow: Annotated[
        tuple[str, ...],
        Field(description="Endpoints SERVICE may call when federation is on (prefix match)."),
    ] = ()
    cors_origins: Annotated[
        tuple[str, ...], Field(description="Origins allowed to read through CORS ('*' for any).")
    ] = ("*",)

    @field_validator("base_iri")
    @classmethod
    def _base_iri_ends_with_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @model_validator(mode="after")
    def _writes_need_a_kept_store(self) -> Settings:
        # A write acknowledged by a store that vanishes at exit would be lost on restart.
        if self.write_token is not None and self.is_memory:
            raise ValueError(
                "a write token enables writes, and writes to the in-memory store would be lost "
                "at restart: give --store DIR (a persistent store) or a SPARQL store URL"
            )
        return self

    @model_validator(mode="after")
    def _one_query_endpoint(self) -> Settings:
        given = self.query_endpoint
        if given is not None and not given.startswith(("http://", "https://")):
            raise ValueError(f"the query endpoint must be an http(s) URL, not {given!r}")
        if given is not None and self.store not in MEMORY_STORES and self.store != given:
            raise ValueError(
                f"both a store ({self.store}) and a query endpoint ({given}) are given: "
                "name the remote store by one of them"
            )
        if self.store_token is not None and self.store_user is not None:
            raise ValueError("give the store either a token or a user and password, not both")
        return self

    @property
    def is_remote(self) -> bool:
        return self.remote_endpoint is not None

    @property
    def is_memory(self) -> bool:
        return self.store in MEMORY_STORES and self.query_endpoint is None

    @property
    def remote_endpoint(self) -> str | None:
        """The query endpoint of a remote store, or None for an embedded one."""
        if self.query_endpoint is not None:
            return self.query_endpoint
        return self.store if self.store.startswith(("http://", "https://")) else None

    def state_folder(self) -> Path:
        """Where local state lives: ``state_dir``, or ~/.local/state/treatygraph."""
        return self.state_dir or Path.home() / ".local" / "state" / "treatygraph"

    def to_environment(self) -> dict[str, str]:
        """``TREATYGRAPH_*`` variables that rebuild these settings in another process
        (uvicorn workers), secrets included: pass them to child processes only."""
        variables: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            elif isinstance(value, tuple):
                value = json.dumps(list(value))
            elif isinstance(value, bool):
                value = "true" if value else "false"
            variables[f"TREATYGRAPH_{name.upper()}"] = str(value)
        return variables
