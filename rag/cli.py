"""`rag` command line: a thin shell over the library.

Examples::

    rag build --sources seeds --index index
    rag add saved-page.html feed.rss --sources seeds --index index
    rag watch seeds --index index
    rag ask "Where will the talks take place?"
    rag ask "How many troops?" --json
    rag ask "How many troops?" --as-of 2022-01-05
    rag brief "Geneva talks" --since 2022-01-01
    rag users add alice --role editor          # who may sign in to the web chat (python -m ui)
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .build import BuildReport
    from .index import Index

EXIT_USAGE = 2


def _build(args: argparse.Namespace) -> int:
    from .api import build_index
    from .progress import TerminalBar

    bar = TerminalBar(enabled=not args.quiet)
    try:
        index = build_index(args.sources, args.index, force=args.force, progress=bar)
    finally:
        bar.close()
    report = index.report
    assert report is not None
    print(
        f"indexed {index.manifest['counts']['documents']} documents, {index.manifest['counts']['units']} units into {args.index}"
    )
    print(report.summary())
    print(_rates(report))
    print(_dating(index))
    return 0


def _dating(index: Index) -> str:
    """What the articles' dates allow: the days they cover, and how many have none (read undated, a stream has no latest)."""
    articles, undated = index.manifest["counts"]["documents"], index.undated_count
    how = "give each a 'date: YYYY-MM-DD' line, a file name starting YYYY-MM-DD, or a date field"
    if articles and undated == articles:
        return f"no article has a date: as_of hides none of them and none is the latest ({how})"
    first, last = index.oldest_date, index.newest_date
    span = f"articles dated {first}" if first == last else f"articles dated {first} to {last}"
    if not undated:
        return span
    return f"{span}; {undated} of {articles} without a date: visible whatever the as_of, never the latest ({how})"


def _rates(report: BuildReport) -> str:
    """How fast the articles of a build were embedded, for the closing summary."""
    articles = len(report.added) + len(report.changed) + len(report.reembedded)
    seconds = max(report.seconds, 1e-6)
    return (
        f"{articles} article{'' if articles == 1 else 's'} ({report.embedded_units} sentences) embedded in "
        f"{report.seconds:.1f}s: "
        f"{articles / seconds:.1f} articles/s, {report.embedded_units / seconds:.0f} sentences/s"
    )


def _add(args: argparse.Namespace) -> int:
    from .api import load_index
    from .progress import TerminalBar
    from .sources import add

    bar = TerminalBar(enabled=not args.quiet)
    try:
        result = add(args.paths, args.sources, args.index, replace=args.replace, progress=bar)
    finally:
        bar.close()
    for name in result.copied:
        print(f"copied {name} into {args.sources}")
    for name in result.unchanged:
        print(f"{name} is already in {args.sources}, unchanged")
    print(result.build.summary())
    print(_rates(result.build))
    print(_dating(load_index(args.index)))  # an added article without a date is never the latest: say so
    return 0


def _watch(args: argparse.Namespace) -> int:
    import signal
    import threading

    from .progress import TerminalBar
    from .watch import WatchUpdate, watch

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())  # finish the build under way, then stop

    def show(update: WatchUpdate) -> None:
        bar.close()  # the bar of this update's build, if any, gives way to its line
        for line in update.warnings:
            print(f"warning: {line}", file=sys.stderr, flush=True)
        print(update.line(), flush=True)

    bar = TerminalBar(enabled=not args.quiet)
    print(f"watching {args.sources} (index {args.index}, settle {args.settle:g}s); Ctrl-C stops", flush=True)
    try:
        watch(args.sources, args.index, show, settle=args.settle, progress=bar, stop_event=stop)
    except KeyboardInterrupt:
        pass
    finally:
        bar.close()
    print("stopped watching", flush=True)
    return 0


def _ask(args: argparse.Namespace) -> int:
    from .api import ensure_index, load_index

    index = ensure_index(args.sources, args.index) if args.sources else load_index(args.index)
    ans = index.answer(args.question, k=args.k, as_of=args.as_of, within=args.doc)
    if args.json:
        print(json.dumps(ans.to_dict(), ensure_ascii=False, indent=2))
        return 0
    if ans.notice:
        print(f"note: {ans.notice}")
    if ans.found:
        print(f"“{ans.text}”")
        print(f"  — {ans.title or ans.doc_id}, {ans.date or 'date unknown'}, characters {ans.start}–{ans.end}")
        if ans.events:
            print("  when: " + "; ".join(e.label() for e in ans.events))
        for c in ans.updates:
            print(f"  {c.relation}: “{c.text}” — {c.title or c.doc_id}, {c.date or 'date unknown'}")
        if ans.also_in:
            print("  also in: " + ", ".join(f"{c.title or c.doc_id} ({c.date or 'date unknown'})" for c in ans.also_in))
    else:
        print(ans.text)
        if ans.passages:
            print("Related passages (not answers):")
    for p in ans.passages if not ans.found else ans.passages[:0]:
        print(f"  [{p.score:.2f}] {p.doc_id} {p.start}–{p.end}: {p.text[:160]}")
    return 0


def _brief(args: argparse.Namespace) -> int:
    from .api import ensure_index, load_index

    index = ensure_index(args.sources, args.index) if args.sources else load_index(args.index)
    briefing = index.brief(args.topic, since=args.since, until=args.until, as_of=args.as_of, max_items=args.items)
    if args.json:
        print(json.dumps(briefing.to_dict(), ensure_ascii=False, indent=2))
        return 0
    about = f" about {briefing.topic!r}" if briefing.topic else ""
    print(f"Briefing{about}, {briefing.since} to {briefing.until}: {briefing.articles} articles")
    if briefing.notice:
        print(briefing.notice)
    for item in briefing.items:
        when = item.event_date or item.date or "date unknown"
        print(f"\n{when}  {item.label}")
        print(f"  “{item.text}”")
        who = item.source or item.title or item.doc_id
        also = f"; also in {len(item.also_in)} more" if item.also_in else ""
        print(f"  — {who}, {item.date or 'date unknown'}, {item.doc_id} characters {item.start}–{item.end}{also}")
        if item.change:
            print(f"  changed: {item.change}")
    return 0


def _users(args: argparse.Namespace) -> int:
    from . import access

    if args.action == "list":
        users = access.load_users(args.file)
        for user in users.users:
            print(f"{user.name}\t{user.role}\t{user.created}")
        print(f"{len(users)} user{'' if len(users) == 1 else 's'} in {args.file}", file=sys.stderr)
    elif args.action == "remove":
        gone = access.remove_user(args.file, args.name)
        print(f"removed {gone.name} ({gone.role}) from {args.file}")
    else:
        access.check_name(args.name)
        user = access.add_user(args.file, args.name, args.role, _new_password(args.password_stdin), update=args.update)
        print(f"{'updated' if args.update else 'added'} {user.name} ({user.role}) in {args.file}")
    return 0


def _new_password(from_stdin: bool) -> str:
    """The new password: one line of stdin, or typed twice at a prompt without echo."""
    from getpass import getpass

    from .access import check_password_rules

    if from_stdin:
        password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    else:
        password = getpass("Password: ")
        check_password_rules(password)
        if getpass("Password again: ") != password:
            raise ValueError("the two passwords differ: nothing was changed")
    check_password_rules(password)
    return password


def _eval(args: argparse.Namespace) -> int:
    from .eval import main as eval_main

    return eval_main(args)


def parser() -> argparse.ArgumentParser:
    """The argument parser (every command has help text and an example)."""
    p = argparse.ArgumentParser(prog="rag", description="Answer questions with verbatim quotes from dated articles.")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser(
        "build",
        help="index a folder of articles",
        description=(
            "Index a folder of articles: .txt/.md files, saved pages (.html/.htm), RSS/Atom feeds (.xml/.rss/.atom) "
            "and JSONL exports (.jsonl). Example: rag build --sources seeds --index index"
        ),
    )
    b.add_argument("--sources", default="seeds", help="folder of articles (default: seeds)")
    b.add_argument("--index", default="index", help="index folder to write (default: index)")
    b.add_argument("--force", action="store_true", help="re-embed everything instead of reusing unchanged files")
    b.add_argument("--quiet", action="store_true", help="no progress bar (there is none when stderr is not a terminal)")
    b.set_defaults(run=_build)

    d = sub.add_parser(
        "add",
        help="copy article files into the source folder and index them",
        description=(
            "Copy article files (.txt, .md, .html, .htm, .xml, .rss, .atom, .jsonl) into the source folder, "
            "atomically, and update the index: only their articles are embedded. "
            "Example: rag add page.html feed.rss --sources seeds --index index"
        ),
    )
    d.add_argument("paths", nargs="+", metavar="PATH", help="article files to add")
    d.add_argument("--sources", default="seeds", help="source folder to copy them into (default: seeds)")
    d.add_argument("--index", default="index", help="index folder to update (default: index)")
    d.add_argument("--replace", action="store_true", help="overwrite a file of the same name and other content")
    d.add_argument("--quiet", action="store_true", help="no progress bar")
    d.set_defaults(run=_add)

    w = sub.add_parser(
        "watch",
        help="keep the index current while files are added, changed or removed",
        description=(
            "Watch a source folder and update the index after each burst of changes, one line per update. "
            "A file written in the last SETTLE seconds is waited for, and held back while it is still being "
            "written; producers should write under a hidden name (.name.tmp) and rename it into place. "
            "Example: rag watch seeds --index index"
        ),
    )
    w.add_argument("sources", help="source folder to watch")
    w.add_argument("--index", default="index", help="index folder to keep current (default: index)")
    w.add_argument(
        "--settle", type=float, default=1.0, help="seconds a file must be left unchanged before it is read (default: 1)"
    )
    w.add_argument("--quiet", action="store_true", help="no progress bar")
    w.set_defaults(run=_watch)

    a = sub.add_parser(
        "ask", help="ask a question", description='Ask a question. Example: rag ask "Where will the talks take place?"'
    )
    a.add_argument("question", help="the question, in plain language")
    a.add_argument("--index", default="index", help="index folder (default: index)")
    a.add_argument("--sources", default=None, help="rebuild the index from this folder first when it is stale")
    a.add_argument("-k", type=int, default=5, help="number of supporting passages (default: 5)")
    a.add_argument(
        "--as-of",
        default=None,
        metavar="DATE",
        help="answer as of this day (YYYY-MM-DD): later articles are not quoted",
    )
    a.add_argument(
        "--doc",
        action="append",
        default=None,
        metavar="ID",
        help="answer from this article only (repeat for several); ids as `rag ask --json` prints them",
    )
    a.add_argument("--json", action="store_true", help="print the answer as JSON")
    a.set_defaults(run=_ask)

    br = sub.add_parser(
        "brief",
        help="a dated briefing of quotes",
        description='The main developments of a window of articles, each a verbatim quote. Example: rag brief "sanctions" --since 2022-03-01',
    )
    br.add_argument("topic", nargs="?", default=None, help="only what is about this topic (default: everything)")
    br.add_argument("--since", default=None, metavar="DATE", help="first article day (default: a week before --until)")
    br.add_argument("--until", default=None, metavar="DATE", help="last article day (default: --as-of or the newest)")
    br.add_argument("--as-of", default=None, metavar="DATE", help="ignore articles dated after this day")
    br.add_argument("--items", type=int, default=10, help="at most this many items (default: 10)")
    br.add_argument("--index", default="index", help="index folder (default: index)")
    br.add_argument("--sources", default=None, help="rebuild the index from this folder first when it is stale")
    br.add_argument("--json", action="store_true", help="print the briefing as JSON")
    br.set_defaults(run=_brief)

    e = sub.add_parser(
        "eval",
        help="score answers on QA suites",
        description="Score answers on QA suites (docs/ + qa.jsonl), time-expression sets (expressions.jsonl) and briefings (briefing.jsonl, with --briefing). Example: rag eval eval/seed eval/ukraine_2022 eval/time_expressions",
    )
    e.add_argument("suites", nargs="+", help="suite folders")
    e.add_argument("--json", action="store_true", help="print the report as JSON")
    e.add_argument("--threshold", type=float, default=None, help="refusal threshold to use instead of the default")
    e.add_argument("--part", default=None, help="only questions of this part (e.g. held-out)")
    e.add_argument(
        "--briefing",
        action="store_true",
        help="also score the briefings of suites that hold a briefing.jsonl, against three baselines (minutes)",
    )
    e.add_argument(
        "--gold-article",
        action="store_true",
        help="also answer each question that names its article from that article alone: what choosing the article costs",
    )
    e.add_argument(
        "--naive",
        action="store_true",
        help="also ask each answerable question of a naive dense top-1 chunk pipeline over the same articles",
    )
    e.add_argument(
        "--failures",
        type=int,
        nargs="?",
        const=0,
        default=None,
        metavar="N",
        help="also list the failed questions grouped by cause, at most N per cause (default: all)",
    )
    e.set_defaults(run=_eval)
    _users_parser(sub)
    return p


def _users_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`rag users add|list|remove`: who may sign in to the web chat, and as reader or editor."""
    u = sub.add_parser(
        "users",
        help="manage who may sign in to the web chat",
        description=(
            "Users of the web chat (python -m ui --users FILE): readers ask and read, editors also add and remove "
            "articles. The file holds argon2id password hashes, mode 0600, with a key file FILE.key that vouches "
            "for it. Example: rag users add alice --role editor"
        ),
    )
    actions = u.add_subparsers(dest="action", required=True)
    default = "data/users.json"
    add = actions.add_parser(
        "add",
        help="add a user (asks for the password twice, without echo)",
        description="Add a user. Example: rag users add alice --role editor   (or: echo PASS | rag users add bob --role reader --password-stdin)",
    )
    add.add_argument("name", help="user name: letters, digits, . _ @ -")
    add.add_argument(
        "--role", required=True, choices=["reader", "editor"], help="reader: ask; editor: also add articles"
    )
    add.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    add.add_argument("--update", action="store_true", help="change the role and password of an existing user")
    ls = actions.add_parser("list", help="list users and roles", description="List users. Example: rag users list")
    rm = actions.add_parser("remove", help="remove a user", description="Remove a user. Example: rag users remove bob")
    rm.add_argument("name", help="user name")
    for parser in (add, ls, rm):
        parser.add_argument("--file", default=default, help=f"the users file (default: {default})")
        parser.set_defaults(run=_users)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; user errors print one line on stderr and exit 2."""
    from .errors import RagError

    args = parser().parse_args(argv)
    for option, value in (("-k", getattr(args, "k", 1)), ("--items", getattr(args, "items", 1))):
        if value < 1:
            print(f"error: {option} must be at least 1", file=sys.stderr)
            return EXIT_USAGE
    if getattr(args, "settle", 0) < 0:
        print("error: --settle must be 0 or more seconds", file=sys.stderr)
        return EXIT_USAGE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        # one line per skipped file; catch_warnings restores showwarning on the way out
        warnings.showwarning = lambda msg, *a, **kw: print(f"warning: {msg}", file=sys.stderr)
        try:
            return int(args.run(args))
        except (RagError, ValueError, KeyError, FileNotFoundError) as exc:
            msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
            print(f"error: {msg}", file=sys.stderr)
            return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
