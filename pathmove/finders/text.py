"""The plain-text rule (SPEC §4, §4.4): every boundary-delimited old path, rewritten in place."""

from __future__ import annotations

from typing import Iterator, Union

from pathmove import census
from pathmove.edits import Disposition, Edit
from pathmove.mapping import Mapping
from pathmove.scan import Source

BOM = b"\xef\xbb\xbf"
CENSUS = True  # accounts for every occurrence it reads (census.py)


def find(source: Source, mapping: Mapping) -> Iterator[Union[Edit, Disposition]]:
    """Edits for every reference in the file's bytes."""
    # A UTF-8 BOM is not text: a path right after it starts at the start of the text (SPEC §4),
    # though its bytes (>= 0x80) would otherwise read as name characters.
    start = len(BOM) if source.data.startswith(BOM) else 0
    # pyconfig reads module names in entry points itself: there a dotted name is not prose
    yield from find_in(source.path, source.data, mapping, start, len(source.data), "text", is_utf8(source.data),
                       account=True, dotted_prose=source.kind != "pyconfig")


def is_utf8(data: bytes) -> bool:
    """SPEC §4: a file that is not UTF-8 is judged byte-wise."""
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def find_in(path: str, data: bytes, mapping: Mapping, start: int, end: int, kind: str,
            utf8: bool | None = None, account: bool = False,
            dotted_prose: bool = True) -> Iterator[Union[Edit, Disposition]]:
    """The text rule on data[start:end], offsets in the whole of data (for other finders' prose).

    account: also the census dispositions of the occurrences it does not rewrite."""
    chunk = data[start:end] if (start, end) != (0, len(data)) else data
    for m, new in mapping.references(chunk, utf8):
        yield Edit(path, start + m.start, start + m.end, chunk[m.start:m.end], new.encode(), kind)
    if account:
        yield from census.dispose(path, data, start, end, mapping, dotted_prose=dotted_prose, utf8=utf8)
