"""Suggestions over HTTP: a server subprocess on 127.0.0.1 and a bounded load generator."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.measure import free_port, peak_rss_mb, percentiles, rss_mb

ROOT = Path(__file__).resolve().parent.parent


class Server:
    """`python -m bench.serve` (the product's serve command) in a subprocess, logging to a file."""

    def __init__(
        self,
        env: dict[str, str],
        log_path: Path,
        *,
        warm_up: bool = True,
        command: Sequence[str] | None = None,
    ) -> None:
        self.port = free_port()
        self.log_path = log_path
        args = list(command or [sys.executable, "-m", "bench.serve"])
        args += ["--port", str(self.port), "--host", "127.0.0.1"]
        if not warm_up:
            args.append("--no-warm-up")
        full_env = {
            **os.environ,
            "OMP_NUM_THREADS": "1",
            "TOKENIZERS_PARALLELISM": "false",
            "HF_HUB_OFFLINE": "1",
            **env,
        }
        self._log = log_path.open("wb")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            args, cwd=ROOT, env=full_env, stdout=self._log, stderr=subprocess.STDOUT
        )

    def get(self, path: str, timeout: float = 120.0) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def wait(self, path: str, timeout: float = 600.0) -> float:
        """Seconds from the spawn to the first 200 answer to `path`."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited: see {self.log_path}")
            try:
                status, body = self.get(path)
                if status == 200:
                    return time.perf_counter() - self.started
                raise RuntimeError(f"GET {path}: {status} {body[:300]!r}")
            except (ConnectionError, OSError):
                time.sleep(0.02)
        raise TimeoutError(f"no answer from the server in {timeout} s: see {self.log_path}")

    def rss_mb(self) -> float:
        return rss_mb(self.proc.pid)

    def peak_rss_mb(self) -> float:
        return peak_rss_mb(self.proc.pid)

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text("utf-8", "replace")

    def stop(self) -> None:
        """SIGTERM: uvicorn shuts down gracefully and the lifespan saves the index."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(120)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


_LUA = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT {\\"p50_us\\":%%d,\\"p95_us\\":%%d,\\"p99_us\\":%%d,\\"mean_us\\":%%f,"
    .. "\\"requests\\":%%d,\\"duration_us\\":%%d,\\"errors\\":%%d}\\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean,
    summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def within(h: dict[str, Any], bound_ms: float) -> bool:
    """A load meets a p95 bound when none of its requests failed: an answer that is an error
    is fast."""
    return h["p95_ms"] <= bound_ms and not h.get("errors")


def failed(h: dict[str, Any]) -> str:
    """A load's failed requests in words for its figure, "" when none failed."""
    return f"; **{h['errors']:,} of {h['requests']:,} failed**" if h.get("errors") else ""


def load(port: int, paths: Sequence[str], clients: int, seconds: float) -> dict[str, Any]:
    """A closed loop of `clients` keep-alive connections for `seconds`: wrk (C, one thread)
    when installed, else Python threads; latencies in ms, throughput in requests/s."""
    if shutil.which("wrk"):
        return _wrk(port, paths, clients, seconds)
    return _threads(port, paths, clients, seconds)


def _wrk(port: int, paths: Sequence[str], clients: int, seconds: float) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(_LUA % ", ".join(json.dumps(p) for p in paths))
    try:
        done = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{clients}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "30s",
                "-s",
                f.name,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(f.name)
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("RESULT "))
    r = json.loads(line.removeprefix("RESULT "))
    return {
        "generator": "wrk",
        "clients": clients,
        "requests": r["requests"],
        "errors": r["errors"],
        "rps": r["requests"] / (r["duration_us"] / 1e6),
        "p50_ms": r["p50_us"] / 1000,
        "p95_ms": r["p95_us"] / 1000,
        "p99_ms": r["p99_us"] / 1000,
        "mean_ms": r["mean_us"] / 1000,
    }


def _threads(port: int, paths: Sequence[str], clients: int, seconds: float) -> dict[str, Any]:
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, i = [], offset
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            conn.request("GET", paths[i % len(paths)])
            resp = conn.getresponse()
            resp.read()
            mine.append(time.perf_counter() - start)
            if resp.status != 200:
                with lock:
                    errors[0] += 1
            i += clients
        conn.close()
        with lock:
            times.extend(mine)

    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return {
        "generator": "python threads",
        "clients": clients,
        "requests": len(times),
        "errors": errors[0],
        "rps": len(times) / elapsed,
        **percentiles(times),
    }
