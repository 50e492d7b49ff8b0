"""The product's `serve` command, optionally without the background model warm-up.

`python -m bench.serve [--no-warm-up] [serve options]`: without the warm-up the model loads on
the first request that embeds, so the resident memory can be read with and without it.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> None:
    from matchmaker import cli
    from matchmaker.engine import embeddings

    if "--no-warm-up" in argv:
        argv = [a for a in argv if a != "--no-warm-up"]
        embeddings.LazyEmbedder.warm_up = lambda self: None  # type: ignore[method-assign]
    cli.main(["serve", *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
