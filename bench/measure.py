"""Small measuring tools: percentiles, resident memory, free ports, latency runs."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


def percentiles(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 and the mean, in milliseconds."""
    ms = np.asarray(seconds, dtype=np.float64) * 1000
    if len(ms) == 0:
        return {
            "p50_ms": float("nan"),
            "p95_ms": float("nan"),
            "p99_ms": float("nan"),
            "mean_ms": float("nan"),
        }
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    return {
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "p99_ms": float(p99),
        "mean_ms": float(ms.mean()),
    }


def latencies(fn: Callable[[Any], object], args: Sequence[Any], warm: int = 5) -> list[float]:
    """Seconds per call of fn(arg), one call at a time, after a few calls to warm caches."""
    for arg in args[:warm]:
        fn(arg)
    out = []
    for arg in args:
        start = time.perf_counter()
        fn(arg)
        out.append(time.perf_counter() - start)
    return out


def rss_mb(pid: int | None = None) -> float:
    """Resident set size of a process (this one by default), in MB."""
    status = f"/proc/{pid or os.getpid()}/status"
    with open(status, encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb(pid: int | None = None) -> float:
    """The high-water mark of the resident set (VmHWM), in MB."""
    with open(f"/proc/{pid or os.getpid()}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def cpu_info() -> dict[str, Any]:
    """What the table ran on: cores, model name, memory."""
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo", encoding="ascii") as f:
            mem_gb = int(f.readline().split()[1]) / 1024 / 1024
    except OSError:
        mem_gb = float("nan")
    return {"cores": os.cpu_count(), "cpu": model, "memory_gb": round(mem_gb, 1)}
