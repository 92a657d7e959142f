"""The Articles tab's text: what an add or remove did, the audit log, and a citation's audit trail, as safe Markdown.

File names, reasons and user names come from users and files: each goes through `escape_text`.
"""

from __future__ import annotations

from collections.abc import Sequence

from rag.access import AuditEvent, AuditTrail

from .markdown import escape_text
from .uploads import ChangeReport, FileOutcome

# how each outcome is named in the list
MARKS = {
    "add": "added",
    "replace": "replaced",
    "remove": "removed",
    "unchanged": "unchanged",
    "skip": "not indexed",
    "refuse": "refused",
}


def outcome_line(outcome: FileOutcome) -> str:
    """One file of a change: its mark, its name, and what happened or why not."""
    mark = MARKS.get(outcome.action, outcome.action)
    size = f" ({outcome.size:,} bytes)" if outcome.size is not None else ""
    reason = f": {escape_text(outcome.reason)}" if outcome.reason else ""
    return f"- **{mark}** {escape_text(outcome.name)}{size}{reason}"


def report_markdown(report: ChangeReport) -> str:
    """The result of one add or remove: a headline, one line per file, and the build's summary."""
    counts: dict[str, int] = {}
    for f in report.files:
        counts[f.action] = counts.get(f.action, 0) + 1
    head = ", ".join(f"{n} {MARKS.get(a, a)}" for a, n in counts.items()) or "nothing to do"
    parts = [f"**{escape_text(head[0].upper() + head[1:])}.**"]
    if report.error:
        parts.append(f"**Failed:** {escape_text(report.error)}")
    parts.append("\n".join(outcome_line(f) for f in report.files))
    if report.build:
        parts.append(f"_Index: {escape_text(report.build)}_")
    return "\n\n".join(p for p in parts if p)


def event_line(event: AuditEvent) -> str:
    """One audit event as a list item: when, who, what, which file, its hash and size, and the result."""
    sha = f" · sha256 `{event.sha256[:12]}…`" if event.sha256 else ""
    size = f" · {event.size:,} bytes" if event.size is not None else ""
    result = f" · {escape_text(event.result)}" if event.result else ""
    return (
        f"- {escape_text(event.time)} · **{escape_text(event.user)}** · {escape_text(event.action)} · "
        f"{escape_text(event.file)}{sha}{size}{result}"
    )


def audit_markdown(events: Sequence[AuditEvent], log_name: str) -> str:
    """The audit log panel: its latest events, newest first."""
    if not events:
        return f"#### Audit log\n_No change yet: each article added, replaced, refused or removed is one line of {escape_text(log_name)}._"
    return "#### Audit log (newest first)\n" + "\n".join(event_line(e) for e in events)


def trail_markdown(trail: AuditTrail) -> str:
    """For editors, under an answer's sources: the audit line that brought the quoted article's file in."""
    name = escape_text(trail.file)
    if trail.source is None:
        how = (
            "no upload in the audit log brought this version in (it came with the source folder, or through `rag add`)"
        )
        return f"#### Audit trail\n{name}: {how}."
    return f"#### Audit trail\n{name} was brought in by:\n{event_line(trail.source)}"
