"""One settings object for the whole service, built at the edge (CLI or tests) and passed down.

Every field can be set by a CLI flag or a ``TREATYGRAPH_<FIELD>`` environment variable; nothing
else in the package reads the environment, so a test can build any configuration it needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    update_endpoint: Annotated[
        str | None, Field(description="SPARQL 1.1 Update endpoint of a remote store.")
    ] = None
    graph_store_endpoint: Annotated[
        str | None, Field(description="Graph Store HTTP Protocol endpoint of a remote store.")
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

    @property
    def is_remote(self) -> bool:
        return self.store.startswith(("http://", "https://"))

    @property
    def is_memory(self) -> bool:
        return self.store in MEMORY_STORES
