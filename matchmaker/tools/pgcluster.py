"""A throwaway PostgreSQL cluster from the machine's own binaries: for the tests and benchmarks.

Debian's postgresql packages put initdb, pg_ctl, pg_dump and pg_restore in
/usr/lib/postgresql/<major>/bin, off the PATH. The cluster lives in a temporary folder, listens on
a Unix socket there only (no TCP port to collide with), trusts local connections and writes with
fsync off: it is for data that may be lost. PostgreSQL refuses to run as root; as root, the
cluster is run as the `postgres` user the package creates.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

USER = "matchmaker"


class NoPostgres(RuntimeError):
    """The PostgreSQL server binaries are not installed (`make postgres` installs them)."""


def bindir() -> Path:
    """The folder of the newest installed PostgreSQL server's programs."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[4])
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    raise NoPostgres("PostgreSQL's server is not installed: run `make postgres` (make test does)")


@dataclass
class Cluster:
    folder: Path
    port: int = 5432  # names the socket file only: each cluster has a folder of its own

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of `database` on this cluster (psycopg 3, over the socket)."""
        return f"postgresql+psycopg://{USER}@/{database}?host={self.folder}&port={self.port}"

    def dsn(self, database: str = "postgres") -> str:
        """The libpq connection string, for pg_dump, pg_restore and psql."""
        return f"host={self.folder} port={self.port} user={USER} dbname={database}"


def version(programs: Path) -> str:
    """What the server says of its version: "PostgreSQL 15.18 (Debian ...)"."""
    out = subprocess.run(
        [str(programs / "postgres"), "--version"], capture_output=True, text=True, check=True
    )
    return out.stdout.strip().replace("postgres (PostgreSQL)", "PostgreSQL", 1)


def _admin(cluster: Cluster, statement: str) -> None:
    import psycopg  # the driver, only where a cluster is used

    with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
        # the names are made by the tests, never typed by a user
        conn.execute(statement)


def create_database(cluster: Cluster, name: str, *, template: str = "template0") -> None:
    _admin(cluster, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def drop_database(cluster: Cluster, name: str) -> None:
    _admin(cluster, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _as_owner(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


@contextmanager
def running() -> Iterator[Cluster]:
    """A new cluster, started; stopped and removed when the block ends."""
    programs = bindir()
    folder = Path(tempfile.mkdtemp(prefix="matchmaker-pg-"))
    folder.chmod(0o755)
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    cluster = Cluster(folder=folder)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "check": True}
    try:
        subprocess.run(
            _as_owner(
                [
                    str(programs / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    USER,
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                ]
            ),
            **quiet,  # type: ignore[call-overload]
        )
        options = (
            f"-k {folder} -p {cluster.port} -c listen_addresses='' -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            _as_owner(
                [
                    str(programs / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-l",
                    str(folder / "server.log"),
                    "-w",
                    "start",
                ]
            ),
            **quiet,  # type: ignore[call-overload]
        )
    except subprocess.CalledProcessError as exc:
        log = folder / "server.log"
        detail = log.read_text() if log.exists() else (exc.stderr or b"").decode()
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"the throwaway PostgreSQL did not start: {detail}") from exc
    try:
        yield cluster
    finally:
        subprocess.run(
            _as_owner([str(programs / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)
