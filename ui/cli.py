"""`python -m ui`: the web chat's command line (options, environment, start-up order).

Usage::

    python -m ui [--host 127.0.0.1] [--port 7860] [--sources seeds] [--index index] [--data data]
                 [--users data/users.json | --insecure-no-auth]

Off loopback the chat needs sign-in (a users file, see `rag users`) or an explicit --insecure-no-auth;
a users file given (or found at <data>/users.json) always turns sign-in on.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from rag.access import UsersFileError

from .app import DEFAULT_HOST, DEFAULT_PORT, build_app, launch, prepare
from .signin import LOCAL, OPEN, SIGNED_IN, Access

USERS_FILE = "users.json"  # looked for in the --data folder when --users is not given


def parse_args(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> argparse.Namespace:
    """Options of `python -m ui`; --host/--port win over GRADIO_SERVER_NAME/GRADIO_SERVER_PORT."""
    env = os.environ if env is None else env
    p = argparse.ArgumentParser(prog="python -m ui", description="The crisis-briefing web chat (Gradio).")
    p.add_argument("--host", help=f"address to bind (default: $GRADIO_SERVER_NAME or {DEFAULT_HOST})")
    p.add_argument("--port", type=int, help=f"port (default: $GRADIO_SERVER_PORT or {DEFAULT_PORT})")
    p.add_argument("--sources", default="seeds", help="folder of articles (default: seeds)")
    p.add_argument("--index", default="index", help="index folder, built when missing or stale (default: index)")
    p.add_argument(
        "--data", default="data", help="folder for feedback.jsonl and audit.jsonl, outside the index (default: data)"
    )
    p.add_argument(
        "--users",
        metavar="FILE",
        help=f"users file: sign-in required, readers and editors (default: <data>/{USERS_FILE} if it exists; "
        "make it with `rag users add NAME --role editor`)",
    )
    p.add_argument(
        "--insecure-no-auth",
        action="store_true",
        help="serve without sign-in even off loopback: anyone who reaches it may ask; no one may add articles",
    )
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


def access_of(args: argparse.Namespace) -> Access:
    """Who may use the chat, from --users / --insecure-no-auth and the host.

    Raises ValueError (one line saying what to do) for an address off loopback without either,
    or for both at once; `UsersFileError` for a users file that is missing, too open or tampered with.
    """
    users = args.users or (str(Path(args.data) / USERS_FILE) if (Path(args.data) / USERS_FILE).exists() else None)
    if users and args.insecure_no_auth:
        raise ValueError(f"--insecure-no-auth contradicts the users file {users}: pass one or the other")
    access = Access(SIGNED_IN, users) if users else Access(OPEN if args.insecure_no_auth else LOCAL)
    refusal = access.refusal(args.host)
    if refusal:
        raise ValueError(refusal)
    return access


def main(argv: Sequence[str] | None = None) -> int:
    """Run the web chat until interrupted; exit 2 with one line on stderr when it must not start."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # Gradio re-summarises its per-event statistics with pandas after every queued event
    # (over up to 10,000 past events); every 50th is plenty and saves the CPU for answers.
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "50")
    args = parse_args(argv)
    try:
        access = access_of(args)
    except (UsersFileError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 2
    if access.signed_in:
        count = len(access.users())
        print(f"sign-in required: {count} user{'' if count == 1 else 's'} in {access.users_file}", flush=True)
    app = build_app(args.index, args.sources, args.data, access)
    prepare(app)  # the page is up meanwhile, showing the progress
    launch(app, args.host, args.port, block=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
