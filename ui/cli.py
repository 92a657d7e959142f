"""`python -m ui`: the web chat's command line (options, environment, start-up order).

Usage::

    python -m ui [--host 127.0.0.1] [--port 7860] [--sources seeds] [--index index] [--data data]
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from .app import DEFAULT_HOST, DEFAULT_PORT, build_app, launch, prepare


def parse_args(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> argparse.Namespace:
    """Options of `python -m ui`; --host/--port win over GRADIO_SERVER_NAME/GRADIO_SERVER_PORT."""
    env = os.environ if env is None else env
    p = argparse.ArgumentParser(prog="python -m ui", description="The crisis-briefing web chat (Gradio).")
    p.add_argument("--host", help=f"address to bind (default: $GRADIO_SERVER_NAME or {DEFAULT_HOST})")
    p.add_argument("--port", type=int, help=f"port (default: $GRADIO_SERVER_PORT or {DEFAULT_PORT})")
    p.add_argument("--sources", default="seeds", help="folder of articles (default: seeds)")
    p.add_argument("--index", default="index", help="index folder, built when missing or stale (default: index)")
    p.add_argument("--data", default="data", help="folder for feedback.jsonl, outside the index (default: data)")
    args = p.parse_args(argv)
    args.host = args.host or env.get("GRADIO_SERVER_NAME") or DEFAULT_HOST
    if args.port is None:
        try:
            args.port = int(env.get("GRADIO_SERVER_PORT") or DEFAULT_PORT)
        except ValueError:
            p.error(f"GRADIO_SERVER_PORT is not a port number: {env.get('GRADIO_SERVER_PORT')!r}")
    if not 0 < args.port < 65536:
        p.error(f"--port must be between 1 and 65535, got {args.port}")
    data, index = Path(args.data).resolve(), Path(args.index).resolve()
    if data == index or index in data.parents:
        p.error(f"--data {args.data} must be outside the index folder {args.index}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the web chat until interrupted."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # Gradio re-summarises its per-event statistics with pandas after every queued event
    # (over up to 10,000 past events); every 50th is plenty and saves the CPU for answers.
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "50")
    args = parse_args(argv)
    app = build_app(args.index, args.sources, args.data)
    prepare(app)  # the page is up meanwhile, showing the progress
    launch(app, args.host, args.port, block=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
