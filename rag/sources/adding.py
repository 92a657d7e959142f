"""Add article files to a source folder (atomic copies, names checked) and index them at once.

A copy is written under a hidden temporary name in the folder itself, synced, then renamed
into place: a build or a watcher never sees it half-written. A name that would leave the
folder (a path, `..`, a hidden name) is refused, as is a name already used by a file of
different content unless `replace` is given.
"""

from __future__ import annotations

import errno
import os
import shutil
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..durable import fsync_dir
from .listing import SUFFIXES, TEXT_SUFFIXES, sha256_file
from .text_files import MAX_FILE_BYTES

if TYPE_CHECKING:
    from ..build import BuildReport
    from ..config import Settings
    from ..progress import BuildProgress

_MAX_NAME_BYTES = 255  # one path component on Linux file systems


@dataclass(frozen=True)
class AddReport:
    """What `add` did: the files copied in, those already there unchanged, and the build that followed."""

    copied: tuple[str, ...]
    unchanged: tuple[str, ...]
    build: BuildReport

    def summary(self) -> str:
        """One line for humans: the files, then the build's own summary."""
        files = f"{len(self.copied)} file(s) copied" + (
            f", {len(self.unchanged)} already there" if self.unchanged else ""
        )
        return f"{files}; {self.build.summary()}"


def checked_name(name: str) -> str:
    """`name` if it can be a source file of the folder itself, else ValueError saying what to change."""
    problem = None
    if not name:
        problem = "is empty"
    elif name in (".", ".."):
        problem = "is not a file name"
    elif "/" in name or "\\" in name or "\x00" in name:
        problem = "is a path, not a file name (files are added at the top of the source folder)"
    elif name.startswith("."):
        problem = "starts with a dot (hidden files are not sources)"
    elif len(name.encode("utf-8", "surrogatepass")) > _MAX_NAME_BYTES:
        problem = f"is longer than {_MAX_NAME_BYTES} bytes"
    elif not name.lower().endswith(SUFFIXES):
        problem = f"has none of the source suffixes {', '.join(SUFFIXES)}"
    if problem:
        raise ValueError(f"cannot add {name!r}: the name {problem}; rename the file")
    return name


def _size_limit(name: str) -> int | None:
    if name.lower().endswith(TEXT_SUFFIXES):
        return MAX_FILE_BYTES
    from ..ingest import byte_limit

    return byte_limit(name)


def _checked_input(path: Path, name: str) -> None:
    """ValueError unless `path` is a regular file that can be added as `name` (checked, within its size limit)."""
    try:
        st = path.stat()
    except OSError as exc:
        raise ValueError(f"cannot add {str(path)!r}: {exc.strerror or exc}") from exc
    if not path.is_file():
        raise ValueError(f"cannot add {str(path)!r}: not a regular file (pass article files, not folders)")
    limit = _size_limit(checked_name(name))
    if limit is not None and st.st_size > limit:
        raise ValueError(
            f"cannot add {str(path)!r}: {st.st_size:,} bytes, over the {limit:,}-byte limit for its format"
        )


def copy_into(folder: Path, path: Path, name: str, *, replace: bool = False) -> bool:
    """Copy `path` into `folder` as `name` atomically; False when an identical file is already there.

    Raises ValueError when `name` is taken by a file of other content (unless `replace`) or
    by something that is not a regular file.
    """
    dest = folder / checked_name(name)
    if dest.is_symlink() or (dest.exists() and not dest.is_file()):
        raise ValueError(f"cannot add {name!r}: {dest} exists and is not a regular file")
    if dest.exists():
        if sha256_file(dest) == sha256_file(path):
            return False
        if not replace:
            raise ValueError(
                f"cannot add {name!r}: {dest} already exists with other content; "
                "pass --replace (replace=True) to overwrite it, or rename the file"
            )
    tmp = folder / f".{name}.{uuid.uuid4().hex[:8]}.tmp"  # hidden and of no source suffix: never listed
    try:
        with path.open("rb") as src, tmp.open("xb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        if replace:
            os.replace(tmp, dest)
        else:
            _link_new(tmp, dest, name)
        fsync_dir(folder)
    finally:
        tmp.unlink(missing_ok=True)
    return True


def _link_new(tmp: Path, dest: Path, name: str) -> None:
    """Give `tmp` the name `dest` only if nothing took that name meanwhile (a hard link never overwrites)."""
    try:
        os.link(tmp, dest)
    except FileExistsError:
        raise ValueError(f"cannot add {name!r}: {dest} was created meanwhile; pass --replace to overwrite it") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV):
            raise
        os.rename(tmp, dest)  # a file system without hard links: checked above, a race remains


def add(
    paths: Sequence[str | os.PathLike[str]],
    sources: str | os.PathLike[str] = "seeds",  # the defaults of `rag.answer`
    index_dir: str | os.PathLike[str] = "index",
    *,
    names: Sequence[str] | None = None,
    replace: bool = False,
    settings: Settings | None = None,
    progress: Callable[[BuildProgress], None] | None = None,
) -> AddReport:
    """Copy article files into the source folder `sources` and update the index `index_dir`.

    Each file keeps its base name unless `names` gives one per path (an upload's original
    name). Every file is checked (exists, regular, a source suffix, within its format's size
    limit, no clash) before any is copied. The build that follows embeds only the new or
    changed articles; its report says which. Raises ValueError (naming the file and the fix)
    for a bad file or name, `SourceError` when the folder is missing.
    """
    from ..build import build
    from ..config import Settings as DefaultSettings
    from ..errors import SourceError

    folder = Path(sources)
    if not folder.is_dir():
        raise SourceError(f"source folder not found: {folder} (create it, or pass --sources)")
    if not paths:
        raise ValueError("nothing to add: pass one or more article files")
    names = [Path(p).name for p in paths] if names is None else list(names)
    if len(names) != len(paths):
        raise ValueError(f"{len(paths)} files but {len(names)} names: pass one name per file")
    if len(set(names)) != len(names):
        raise ValueError("two files would get the same name in the source folder; rename one")
    for path, name in zip(paths, names):
        _checked_input(Path(path), name)
        dest = folder / name
        if not replace and dest.is_file() and not dest.is_symlink() and sha256_file(dest) != sha256_file(path):
            raise ValueError(
                f"cannot add {name!r}: {dest} already exists with other content; "
                "pass --replace (replace=True) to overwrite it, or rename the file"
            )
    copied: list[str] = []
    unchanged: list[str] = []
    for path, name in zip(paths, names):
        (copied if copy_into(folder, Path(path), name, replace=replace) else unchanged).append(name)
    report = build(sources, index_dir, settings or DefaultSettings(), only_if_stale=True, progress=progress)
    return AddReport(tuple(copied), tuple(unchanged), report)
