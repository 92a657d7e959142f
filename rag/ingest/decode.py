"""Decode a saved page or feed to text when its declared character set may be wrong.

Order: a byte-order mark wins; then strict UTF-8, because bytes that decode as UTF-8 and hold any
non-ASCII are UTF-8 in practice while a single-byte charset such as iso-8859-1 decodes every byte string
"successfully" into mojibake; then the declared charset (iso-8859-1 and ascii read as windows-1252, as
browsers do); then charset detection; last, windows-1252 with replacement characters. Never raises.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# <meta charset="x">, <meta http-equiv="Content-Type" content="text/html; charset=x">, <?xml encoding="x"?>
_DECLARED = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE)
# Browsers read these labels as windows-1252, a superset that also has curly quotes and the euro sign.
_AS_WINDOWS_1252 = frozenset(codecs.lookup(label).name for label in ("iso-8859-1", "latin-1", "ascii", "us-ascii"))
_SNIFF_BYTES = 4096
_DETECT_BYTES = 200_000  # detection on a sample: on a whole 10 MB page it takes seconds


def declared_charset(data: bytes) -> str | None:
    """The charset the document declares in its first few kB, as a Python codec name, if known."""
    match = _DECLARED.search(data[:_SNIFF_BYTES])
    if not match:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None
    return "cp1252" if name in _AS_WINDOWS_1252 else name


def decode(data: bytes) -> tuple[str, str | None]:
    """(text, a warning or None): the warning says when the bytes were not in the declared charset."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace"), None
    declared = declared_charset(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if declared in (None, "utf-8") or text.isascii():
            return text, None
        return text, f"declares charset {declared} but is UTF-8; read as UTF-8"
    if declared not in (None, "utf-8"):
        try:
            return data.decode(declared), None
        except (UnicodeDecodeError, LookupError):
            pass
    guess = from_bytes(data[:_DETECT_BYTES]).best()
    found = codecs.lookup(guess.encoding).name if guess is not None and guess.encoding else "cp1252"
    claim = f"declares charset {declared} but is not" if declared else "declares no charset and is not UTF-8"
    return data.decode(found, errors="replace"), f"{claim}; read as {found}"
