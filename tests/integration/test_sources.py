"""Bad source folders and files: each bad file is skipped and named in one warning; the rest is indexed and answers.

Files that change after they were indexed are in test_freshness.py; a file that changes
between listing and reading is in unit/test_documents.py.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support import GENEVA_Q, SEED_ID, assert_exact, copy_seeds

import rag
from rag import documents
from rag.documents import MAX_FILE_BYTES


def _non_utf8(folder: Path) -> str:
    (folder / "latin1.txt").write_bytes(
        "date 2022-01-05 Caf\xe9 talks in Gen\xe8ve ended on Monday.\n".encode("latin-1")
    )
    return "latin1.txt"


def _empty(folder: Path) -> str:
    (folder / "empty.txt").write_bytes(b"")
    return "empty.txt"


def _blank(folder: Path) -> str:
    (folder / "blank.md").write_text(" \n\t\n   \n", encoding="utf-8")
    return "blank.md"


def _header_only(folder: Path) -> str:
    (folder / "header.txt").write_text("title: Nothing here\ndate: 2022-01-05\n", encoding="utf-8")
    return "header.txt"


def _png_named_txt(folder: Path) -> str:
    (folder / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(2048))
    return "photo.txt"


def _random_bytes_named_md(folder: Path) -> str:
    # no NUL byte, so only the UTF-8 check can catch it
    data = bytes(b for b in os.urandom(8192) if b) + b"\xff\xfe"
    (folder / "noise.md").write_bytes(data)
    return "noise.md"


def _utf16(folder: Path) -> str:
    (folder / "utf16.txt").write_bytes("date 2022-01-05 Talks in Geneva.\n".encode("utf-16"))
    return "utf16.txt"


def _huge_sparse(folder: Path) -> str:
    path = folder / "huge.txt"
    with path.open("wb") as fh:  # 50 MB, written in an instant: a hole, then one line of text
        fh.write(b"date 2022-01-05 The start of a very long file.\n")
        fh.seek(50 * 1024 * 1024)
        fh.write(b"The end.\n")
    return "huge.txt"


def _just_over_the_limit(folder: Path) -> str:
    line = b"Talks resumed in Geneva on Monday and ended without an agreement.\n"
    (folder / "long.txt").write_bytes(line * (MAX_FILE_BYTES // len(line) + 1))
    return "long.txt"


def _duplicate(folder: Path) -> str:
    (folder / "copy-of-seed.txt").write_bytes((folder / SEED_ID).read_bytes())
    return "copy-of-seed.txt"


def _link_to_outside_file(folder: Path) -> str:
    secret = folder.parent / "outside-secret.txt"
    secret.write_text("date 2022-01-05 The secret launch code is TANGERINE-42.\n", encoding="utf-8")
    (folder / "leak.txt").symlink_to(secret)
    return "leak.txt"


def _link_to_etc_passwd(folder: Path) -> str:
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    return "passwd.txt"


def _link_to_outside_folder(folder: Path) -> str:
    outside = folder.parent / "outside-folder"
    outside.mkdir()
    (outside / "hidden.txt").write_text("date 2022-01-05 The secret launch code is TANGERINE-42.\n", encoding="utf-8")
    (folder / "linked").symlink_to(outside, target_is_directory=True)
    return "linked/"


def _fifo_named_txt(folder: Path) -> str:
    os.mkfifo(folder / "pipe.txt")  # reading it would block forever
    return "pipe.txt"


BAD_FILES: list[Callable[[Path], str]] = [
    _non_utf8,
    _empty,
    _blank,
    _header_only,
    _png_named_txt,
    _random_bytes_named_md,
    _utf16,
    _huge_sparse,
    _just_over_the_limit,
    _duplicate,
    _link_to_outside_file,
    _link_to_etc_passwd,
    _link_to_outside_folder,
    _fifo_named_txt,
]


@dataclass
class BadBuild:
    """One build of the seed article next to every kind of bad file."""

    sources: Path
    index: rag.Index
    warnings: list[str]
    names: dict[str, str]  # maker -> file name
    opened: list[str]  # paths opened through os.open while building
    seconds: float


@pytest.fixture(scope="module")
def bad_build(tmp_path_factory: pytest.TempPathFactory) -> BadBuild:
    root = tmp_path_factory.mktemp("bad-sources")
    sources = copy_seeds(root / "seeds")
    names = {make.__name__.strip("_"): make(sources) for make in BAD_FILES}
    opened: list[str] = []
    real_open = os.open

    def spy_open(path: str | os.PathLike[str], *args: Any, **kwargs: Any) -> int:
        opened.append(os.path.abspath(path))
        return real_open(path, *args, **kwargs)

    t0 = time.perf_counter()
    with pytest.MonkeyPatch.context() as mp, warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        mp.setattr(documents.os, "open", spy_open)
        index = rag.build_index(sources, root / "index")
    seconds = time.perf_counter() - t0
    print(f"build with {len(names)} bad files: {seconds:.1f} s")
    return BadBuild(sources, index, [str(w.message) for w in record], names, opened, seconds)


@pytest.mark.parametrize("kind", [make.__name__.strip("_") for make in BAD_FILES])
def test_bad_file_is_skipped_and_named_in_one_warning_line(bad_build: BadBuild, kind: str) -> None:
    name = bad_build.names[kind]
    naming = [m for m in bad_build.warnings if name in m]
    assert len(naming) == 1, bad_build.warnings
    assert naming[0].startswith(f"skipped {name}:") and "\n" not in naming[0]
    assert not any(d.startswith(name.rstrip("/")) for d in bad_build.index.doc_ids)


def test_next_to_bad_files_the_good_article_is_indexed_and_answers(bad_build: BadBuild) -> None:
    index = bad_build.index
    assert index.doc_ids == (SEED_ID,)
    a = index.answer(GENEVA_Q)
    assert a.found and "Geneva" in a.text and a.doc_id == SEED_ID
    assert_exact(index, a)


def test_nothing_outside_the_source_folder_is_read_or_indexed(bad_build: BadBuild) -> None:
    for doc_id in bad_build.index.doc_ids:
        assert "TANGERINE" not in bad_build.index.document(doc_id).text
    assert any(p.endswith(SEED_ID) for p in bad_build.opened)  # the spy does see what is read
    sources = str(bad_build.sources.resolve())
    articles_read = [p for p in bad_build.opened if p.endswith((".txt", ".md"))]
    assert all(p.startswith(sources + os.sep) for p in articles_read), articles_read
    for kind in ("link_to_outside_file", "link_to_etc_passwd", "fifo_named_txt", "huge_sparse"):
        assert str(bad_build.sources / bad_build.names[kind]) not in bad_build.opened


def test_bad_files_cost_no_embedding(bad_build: BadBuild) -> None:
    report = bad_build.index.report
    assert report is not None
    assert report.embedded_units == bad_build.index.manifest["counts"]["units"] < 100
    assert "bytes, larger than" in report.skipped[bad_build.names["huge_sparse"]]
    assert report.skipped[bad_build.names["duplicate"]] == f"duplicate of {SEED_ID}"


def test_duplicate_documents_are_indexed_once_and_reported(tmp_path: Path) -> None:
    sources = copy_seeds(tmp_path / "seeds")
    (sources / "a-copy.txt").write_bytes((sources / SEED_ID).read_bytes())
    (sources / "sub").mkdir()
    (sources / "sub" / "z-copy.md").write_bytes((sources / SEED_ID).read_bytes())
    with pytest.warns(UserWarning) as record:
        index = rag.build_index(sources, tmp_path / "index")
    # the first id in sorted order wins; every other copy is reported as its duplicate
    assert index.doc_ids == ("2022-01-04-biden-zelenskiy-call.txt",)
    assert index.report is not None
    assert index.report.skipped == {
        "a-copy.txt": f"duplicate of {SEED_ID}",
        "sub/z-copy.md": f"duplicate of {SEED_ID}",
    }
    messages = [str(w.message) for w in record]
    assert sum("a-copy.txt" in m for m in messages) == 1 and sum("sub/z-copy.md" in m for m in messages) == 1
    a = index.answer(GENEVA_Q)
    assert len({p.doc_id for p in a.passages}) == 1  # the same passage is not offered twice from two copies


def test_utf8_file_with_byte_order_mark_keeps_its_date_header(tmp_path: Path) -> None:
    sources = tmp_path / "seeds"
    sources.mkdir()
    text = (copy_seeds(tmp_path / "orig") / SEED_ID).read_text(encoding="utf-8")
    (sources / "bom.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    index = rag.build_index(sources, tmp_path / "index")
    doc = index.document("bom.txt")
    assert doc.text.startswith("\ufeff") and doc.date == "2022-01-04"
    a = index.answer(GENEVA_Q)
    assert a.found and a.date == "2022-01-04"
    assert_exact(index, a)


def test_a_file_named_by_its_day_is_dated_by_it_unless_its_header_says_otherwise(tmp_path: Path) -> None:
    sources = tmp_path / "src"
    sources.mkdir()
    (sources / "2022-03-05-convoy.txt").write_text("Convoys left Mariupol on Saturday.\n", encoding="utf-8")
    (sources / "2022-03-06-header.txt").write_text("date: 2022-03-07\n\nThe header's day wins.\n", encoding="utf-8")
    (sources / "2022-02-30-typo.txt").write_text("A day that never was.\n", encoding="utf-8")
    (sources / "20220305.txt").write_text("Only a name of digits.\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="2022-02-30-typo.txt"):
        index = rag.build_index(sources, tmp_path / "index")
    dates = {d: index.document(d).date for d in index.doc_ids}
    assert dates == {
        "2022-03-05-convoy.txt": "2022-03-05",
        "2022-03-06-header.txt": "2022-03-07",
        "2022-02-30-typo.txt": None,
        "20220305.txt": None,
    }
    # "Saturday" in a file dated by its name resolves against that day
    a = index.answer("When did convoys leave Mariupol?")
    assert a.found and a.events and a.events[0].first == "2022-03-05"


def test_a_markdown_file_with_front_matter_is_dated_by_it_and_its_front_matter_is_never_quoted(tmp_path: Path) -> None:
    sources = tmp_path / "src"
    sources.mkdir()
    text = '---\ntitle: "Talks resume in Istanbul"\ndate: 2022-03-29T10:00:00+03:00\nlayout: post\n---\n\nTalks resumed in Istanbul on Tuesday.\n'
    (sources / "talks.md").write_text(text, encoding="utf-8")
    index = rag.build_index(sources, tmp_path / "index")
    doc = index.document("talks.md")
    assert (doc.date, doc.title) == ("2022-03-29", "Talks resume in Istanbul")
    a = index.answer("Where did talks resume?")
    assert a.found and a.text == "Talks resumed in Istanbul on Tuesday." and a.start == text.index("Talks resumed")
    assert_exact(index, a)


UNUSABLE_FOLDERS = {  # kind -> what the error says
    "missing": "source folder not found",
    "empty": "no .txt or .md files",
    "only-other-files": "no .txt or .md files",
    "a-file-not-a-folder": "source folder not found",
}


@pytest.mark.parametrize("kind", list(UNUSABLE_FOLDERS))
def test_unusable_source_folder_is_a_source_error_naming_it(kind: str, tmp_path: Path) -> None:
    folder = tmp_path / "sources"
    if kind == "empty":
        folder.mkdir()
    elif kind == "only-other-files":
        folder.mkdir()
        (folder / "notes.pdf").write_bytes(b"%PDF-1.4")
        (folder / ".hidden.txt").write_text("date 2022-01-05 Hidden files are not articles.\n")
    elif kind == "a-file-not-a-folder":
        folder.write_text("date 2022-01-05 One article, but not in a folder.\n")
    with pytest.raises(rag.SourceError) as info:
        rag.build_index(folder, tmp_path / "index")
    assert isinstance(info.value, ValueError)
    assert str(folder) in str(info.value) and ".txt" in str(info.value)
    assert UNUSABLE_FOLDERS[kind] in str(info.value)
    assert not (tmp_path / "index" / "manifest.json").exists()


def test_a_folder_of_only_bad_files_is_a_source_error(tmp_path: Path) -> None:
    folder = tmp_path / "sources"
    folder.mkdir()
    names = [_empty(folder), _png_named_txt(folder), _non_utf8(folder)]
    with pytest.warns(UserWarning) as record, pytest.raises(rag.SourceError, match="no readable article"):
        rag.build_index(folder, tmp_path / "index")
    messages = " | ".join(str(w.message) for w in record)
    assert all(name in messages for name in names)


def test_unreadable_files_are_skipped_and_a_nested_article_is_indexed_with_its_date(tmp_path: Path) -> None:
    sources = copy_seeds(tmp_path / "seeds")
    (sources / "latin1.txt").write_bytes("Caf\xe9 talks in Gen\xe8ve".encode("latin-1"))
    (sources / "empty.md").write_text("")
    (sources / "nested").mkdir()
    (sources / "nested" / "other.md").write_text("date 2022-01-05 NATO ministers met in Brussels on Friday.\n")
    with pytest.warns(UserWarning) as record:
        index = rag.build_index(sources, tmp_path / "index")
    messages = " | ".join(str(w.message) for w in record)
    assert "latin1.txt" in messages and "not UTF-8" in messages
    assert "empty.md" in messages and "empty" in messages
    assert "nested/other.md" in index.doc_ids
    assert index.report is not None and set(index.report.skipped) == {"latin1.txt", "empty.md"}
    a = index.answer("Where did NATO ministers meet?")
    assert a.found and a.doc_id == "nested/other.md" and "Brussels" in a.text
    assert a.date == "2022-01-05"


def test_a_clean_folder_warns_about_nothing(tmp_path: Path, recwarn: pytest.WarningsRecorder) -> None:
    sources = copy_seeds(tmp_path / "seeds")
    rag.build_index(sources, tmp_path / "index")
    assert not [str(w.message) for w in recwarn if str(w.message).startswith("skipped")]
