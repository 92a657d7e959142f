"""Reading source files: the metadata header, and a file that changes while it is listed or read."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from rag.documents import MAX_FILE_BYTES, SourceFile, list_sources, parse_header, read_document


def test_header_fields():
    meta, body = parse_header("title: A day in Geneva\nsource: AP\ndate: 2022-01-10\n\nText starts.")
    assert meta == {"title": "A day in Geneva", "source": "AP", "date": "2022-01-10"}
    assert "title: A day in Geneva\nsource: AP\ndate: 2022-01-10\n\nText starts."[body:] == "Text starts."
    assert parse_header("Title of the day is x") == ({}, 0)
    assert parse_header(" date 2022-01-04 US President")[1] == len(" date 2022-01-04 ")
    assert parse_header("date 2022-01-04T10:00:00Z\nUS President") == (
        {"date": "2022-01-04"},
        len("date 2022-01-04T10:00:00Z\n"),
    )
    # a date line written as a feed or a newsroom writes it is a header; one that names no day is text
    meta, body = parse_header("title: Talks\ndate: Tuesday, January 4, 2022 10:00 GMT\n\nText starts.")
    assert meta["date"] == "Tuesday, January 4, 2022 10:00 GMT" and body > 0
    assert parse_header("Date: to be confirmed\nText starts.") == ({}, 0)
    # Markdown front matter: the whole block is header, whatever keys it holds; known ones are read
    text = '---\ntitle: "Talks resume"\ndate: 2022-03-29T10:00:00+03:00\ntags: [talks, Istanbul]\n---\n\nText starts.'
    meta, body = parse_header(text)
    assert meta == {"title": "Talks resume", "date": "2022-03-29T10:00:00+03:00"} and text[body:] == "Text starts."
    assert parse_header("---\nlayout: post\n---\nText starts.")[1] == len("---\nlayout: post\n---\n")
    assert parse_header("--- a dash line, then text\nmore") == ({}, 0)  # no closing line: text
    assert parse_header("---\nBREAKING: Talks resume.\nMore to follow.\n---\nText.") == ({}, 0)  # text between rules
    # the fields a newsroom's export adds: an author line no longer ends the header, "published" is the date
    text = "Title: Talks\nAuthor: A. Reporter\nPublished: 2022-03-05T14:22:00Z\nSource: Wire\n\nText starts."
    meta, body = parse_header(text)
    assert meta == {"title": "Talks", "author": "A. Reporter", "date": "2022-03-05T14:22:00Z", "source": "Wire"}
    assert text[body:] == "Text starts."


# A file can change between listing and reading: it is read through the descriptor, never past the limit.


def _listed(path: Path) -> SourceFile:
    st = path.lstat()
    return SourceFile(path.name, path, st.st_size, st.st_mtime_ns)


def test_a_file_that_grew_after_it_was_listed_is_not_read_past_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "growing.txt"
    path.write_text("date 2022-01-05 A short article.\n")
    listed = _listed(path)
    with path.open("ab") as fh:
        fh.truncate(50 * 1024 * 1024)
    assert read_document(listed) == f"larger than the {MAX_FILE_BYTES:,}-byte limit for an article"


def test_a_file_swapped_for_a_symlink_after_it_was_listed_is_not_followed(tmp_path: Path) -> None:
    path = tmp_path / "swapped.txt"
    path.write_text("date 2022-01-05 A short article.\n")
    listed = _listed(path)
    path.unlink()
    path.symlink_to("/etc/passwd")
    assert read_document(listed) == "symbolic link, not followed"


def test_a_file_deleted_after_it_was_listed_is_reported_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "gone.txt"
    path.write_text("date 2022-01-05 A short article.\n")
    listed = _listed(path)
    path.unlink()
    reason = read_document(listed)
    assert isinstance(reason, str) and reason.startswith("unreadable")


def test_a_fifo_swapped_in_after_listing_does_not_block(tmp_path: Path) -> None:
    path = tmp_path / "pipe.txt"
    path.write_text("date 2022-01-05 A short article.\n")
    listed = _listed(path)
    path.unlink()
    os.mkfifo(path)
    assert read_document(listed) == "not a regular file"


def test_files_and_folders_removed_while_the_folder_is_listed_are_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A producer deletes files while a reader lists the folder: the listing is of what remains, never an error."""
    (tmp_path / "kept.txt").write_text("date 2022-01-05 Kept.\n")
    (tmp_path / "gone.txt").write_text("date 2022-01-05 Gone.\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "inner.txt").write_text("date 2022-01-05 Inner.\n")
    scandir = os.scandir

    def removing_as_it_lists(path: str | os.PathLike[str]) -> contextlib.AbstractContextManager[list[os.DirEntry[str]]]:
        if Path(path) == tmp_path / "sub":
            raise FileNotFoundError(2, "No such file or directory", str(path))
        with scandir(path) as listing:
            entries = list(listing)
        (tmp_path / "gone.txt").unlink()  # after its entry was read, before its stat
        return contextlib.nullcontext(entries)

    monkeypatch.setattr(os, "scandir", removing_as_it_lists)
    assert [s.doc_id for s in list_sources(tmp_path)] == ["kept.txt"]
