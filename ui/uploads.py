"""Article changes from the web chat: uploaded files checked, added through `rag.add`, or a file removed; rolled back, audited.

No Gradio here (the tab is `ui.articles_tab`). One change at a time per app. Each upload is
read the way a build reads it before anything is copied, so a hostile or broken file (a
billion-laughs feed, a binary file named .txt) is refused with the reader's own reason and
never reaches the source folder. If copying or the build fails, the files copied are taken out
again (a replaced file gets its old content back), so the folder and the index stay as they
were. Every file added, replaced, refused or removed is one line of the audit log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import rag
from rag.access import AUDIT_FILE, AuditEvent, append_event, file_of, read_events
from rag.progress import EMBEDDING, READING, BuildProgress
from rag.sources import AddReport, SourceFile, checked_name, read_file, sha256_file

from .backend import Backend
from .signin import Caller

Progress = Callable[[BuildProgress], None]


@dataclass(frozen=True)
class Upload:
    """One uploaded file: where the server holds it, and the name it had on the uploader's machine."""

    path: str
    name: str


@dataclass(frozen=True)
class FileOutcome:
    """What became of one file: its action (add, replace, unchanged, refuse, skip, remove) and why."""

    name: str
    action: str
    reason: str
    sha256: str | None = None
    size: int | None = None
    articles: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChangeReport:
    """What one add or remove did: each file's outcome, the build's summary, or the error that undid it."""

    files: tuple[FileOutcome, ...]
    build: str | None = None
    error: str | None = None


def progress_line(event: BuildProgress) -> str:
    """The progress of a build in words, for the page's status line."""
    if event.stage == READING:
        return f"Reading files: {event.done:,} of {event.total:,} …"
    if event.stage == EMBEDDING:
        return f"Embedding sentences: {event.done:,} of {event.total:,} ({event.articles:,} articles done) …"
    return "Writing the index …"


class Articles:
    """The article changes of one app, over its backend's source folder and index, audited in `<data>/audit.jsonl`."""

    def __init__(self, backend: Backend, upload_root: str | os.PathLike[str], max_files: int = 20) -> None:
        self.backend = backend
        # only files under this folder (Gradio's upload folder) are taken as uploads, or ever deleted
        self.upload_root = Path(upload_root).resolve()
        self.max_files = max_files
        self.audit_log = backend.data_dir / AUDIT_FILE
        self._lock = threading.Lock()

    def add(
        self, uploads: Sequence[Upload], caller: Caller, *, replace: bool = False, progress: Progress | None = None
    ) -> ChangeReport:
        """Add `uploads` to the source folder under their own names and index them; the uploads are deleted after."""
        try:
            if not uploads:
                raise ValueError("choose one or more article files first")
            if len(uploads) > self.max_files:
                raise ValueError(f"{len(uploads)} files at once: add at most {self.max_files} at a time")
            with self._lock:
                return self._add(uploads, caller, replace, progress)
        finally:
            self.discard(uploads)

    def remove(self, name: str, caller: Caller, progress: Progress | None = None) -> ChangeReport:
        """Take the file `name` out of the source folder and the index (put back if the build fails)."""
        with self._lock:
            folder = self.backend.sources
            dest = folder / checked_name(name)
            if dest.is_symlink() or not dest.is_file():
                raise ValueError(f"there is no article file {name!r} in the source folder")
            sha, size = sha256_file(dest), dest.stat().st_size
            hidden = folder / f".{name}.removed-{uuid.uuid4().hex[:8]}.tmp"  # not listed, so not indexed
            os.rename(dest, hidden)
            try:
                index = rag.build_index(folder, self.backend.index_dir, progress=progress)
            except BaseException:
                os.rename(hidden, dest)
                raise
            hidden.unlink()
            assert index.report is not None
            summary = index.report.summary()
            outcome = FileOutcome(name, "remove", "removed from the source folder and the index", sha, size)
            self._audit(caller, outcome, summary)
            self.backend.changed(self.backend.index())
            return ChangeReport((outcome,), summary)

    def files(self) -> list[str]:
        """The names of the article files at the top of the source folder (what the page offers to remove)."""
        try:
            return sorted(e.name for e in os.scandir(self.backend.sources) if _is_article(e))
        except OSError:
            return []

    def recent(self, count: int = 20) -> list[AuditEvent]:
        """The last `count` events of the audit log, newest first."""
        events, _ = read_events(self.audit_log)
        return events[::-1][:count]

    def discard(self, uploads: Sequence[Upload]) -> None:
        """Delete the uploaded temp files (and their folders, once empty): never anything outside the upload folder."""
        for upload in uploads:
            path = Path(upload.path).resolve()
            if self.upload_root not in path.parents:
                continue
            path.unlink(missing_ok=True)
            if path.parent != self.upload_root:
                with contextlib.suppress(OSError):  # another file of the same content is still there
                    path.parent.rmdir()

    def _add(self, uploads: Sequence[Upload], caller: Caller, replace: bool, progress: Progress | None) -> ChangeReport:
        outcomes: dict[str, FileOutcome] = {}
        good: list[tuple[Upload, FileOutcome]] = []
        for upload in uploads:
            outcome = self._checked(upload, replace, taken=set(outcomes))
            outcomes.setdefault(upload.name, outcome)
            if outcome.action in ("add", "replace"):
                good.append((upload, outcome))
        for outcome in outcomes.values():
            if outcome.action == "refuse":
                self._audit(caller, outcome)
        if not good:
            return ChangeReport(tuple(outcomes.values()))
        try:
            report = self._copy_and_build(good, replace, progress)
        except Exception as exc:
            error = f"nothing was added ({exc}); the source folder and the index are as they were"
            for _, outcome in good:
                failed = FileOutcome(outcome.name, "refuse", error, outcome.sha256, outcome.size)
                outcomes[outcome.name] = failed
                self._audit(caller, failed)
            return ChangeReport(tuple(outcomes.values()), error=error)
        summary = report.build.summary()
        index = self.backend.index()  # loads what the build wrote (or what a question's rebuild wrote meanwhile)
        rows = index.manifest.get("sources", {})
        for _, outcome in good:
            articles = tuple(d for d in index.doc_ids if file_of(d, rows) == outcome.name)
            row = rows.get(outcome.name) or {}
            if articles:
                reason = f"indexed: {len(articles)} article{'' if len(articles) == 1 else 's'}"
            else:
                reason = f"copied but not indexed: {row.get('skipped') or 'no article in it'}"
            done = FileOutcome(
                outcome.name, outcome.action if articles else "skip", reason, outcome.sha256, outcome.size, articles
            )
            outcomes[outcome.name] = done
            self._audit(
                caller, FileOutcome(done.name, outcome.action, reason, done.sha256, done.size, articles), summary
            )
        self.backend.changed(index)
        return ChangeReport(tuple(outcomes.values()), summary)

    def _checked(self, upload: Upload, replace: bool, taken: set[str]) -> FileOutcome:
        """What to do with one upload: add, replace, leave (unchanged), or refuse with the reason."""
        name = upload.name
        try:
            checked_name(name)
        except ValueError as exc:
            return FileOutcome(name, "refuse", str(exc).removeprefix(f"cannot add {name!r}: "))
        if name in taken:
            return FileOutcome(name, "refuse", "another file of this upload has the same name")
        path = Path(upload.path).resolve()
        if self.upload_root not in path.parents or path.is_symlink() or not path.is_file():
            return FileOutcome(name, "refuse", "not a file uploaded to this server")
        st = path.stat()
        sha = sha256_file(path)
        dest = self.backend.sources / name
        action = "add"
        if dest.is_symlink() or (dest.exists() and not dest.is_file()):
            return FileOutcome(
                name, "refuse", "that name is taken by something that is not an article file", sha, st.st_size
            )
        if dest.exists():
            if sha256_file(dest) == sha:
                return FileOutcome(name, "unchanged", "already in the source folder, unchanged", sha, st.st_size)
            if not replace:
                why = "a different file of this name is already in the source folder: tick “Replace” to overwrite it"
                return FileOutcome(name, "refuse", why, sha, st.st_size)
            action = "replace"
        # read exactly as a build will: a file that gives no article never enters the folder
        read = read_file(SourceFile(name, str(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
        if not read.documents:
            return FileOutcome(
                name, "refuse", f"skipped: {read.skipped or read.held_back or 'no article in it'}", sha, st.st_size
            )
        return FileOutcome(name, action, "", sha, st.st_size)

    def _copy_and_build(
        self, good: list[tuple[Upload, FileOutcome]], replace: bool, progress: Progress | None
    ) -> AddReport:
        """`rag.add` the checked uploads; on any failure, undo every copy (old content back) and re-raise."""
        folder = self.backend.sources
        backups: dict[Path, Path] = {}
        try:
            for _, outcome in good:
                if outcome.action == "replace":  # a hard link keeps the old content under a hidden name
                    backup = folder / f".{outcome.name}.previous-{uuid.uuid4().hex[:8]}.tmp"
                    os.link(folder / outcome.name, backup)
                    backups[folder / outcome.name] = backup
            return rag.add(
                [u.path for u, _ in good],
                folder,
                self.backend.index_dir,
                names=[o.name for _, o in good],
                replace=replace,
                progress=progress,
            )
        except BaseException:
            for _, outcome in good:
                dest = folder / outcome.name
                if dest in backups:
                    os.replace(backups.pop(dest), dest)
                elif dest.is_file() and not dest.is_symlink() and sha256_file(dest) == outcome.sha256:
                    dest.unlink()
            raise
        finally:
            for backup in backups.values():
                backup.unlink(missing_ok=True)

    def _audit(self, caller: Caller, outcome: FileOutcome, build: str | None = None) -> None:
        event = AuditEvent(
            time=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            user=caller.name,
            action=outcome.action,
            file=outcome.name,
            sha256=outcome.sha256,
            size=outcome.size,
            result=outcome.reason,
            articles=outcome.articles,
            build=build,
            address=caller.address,
        )
        append_event(self.audit_log, event)


def _is_article(entry: os.DirEntry[str]) -> bool:
    from rag.sources import is_source_name

    return is_source_name(entry.name) and entry.is_file(follow_symlinks=False)
