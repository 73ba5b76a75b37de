"""The one error type: a problem the user must fix; exit code 2, nothing changed."""

from __future__ import annotations


class PathmoveError(Exception):
    """A problem with the user's input or repository; the CLI prints it and exits 2."""

    exit_code = 2
    hint = ""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint or self.hint


class MappingError(PathmoveError):
    """The mapping file is missing, not YAML, or has an invalid entry."""


class ConflictError(PathmoveError):
    """The mapping is valid but does not fit the tree (a destination exists, a source is missing)."""

    hint = "change those entries or the tree, then run `pathmove plan` again; nothing was changed"


class RootError(PathmoveError):
    """The root directory does not exist or is not a directory."""


class DirtyTreeError(PathmoveError):
    """The git working tree has uncommitted changes to tracked files."""

    hint = "commit or stash them first, or pass --allow-dirty"


class JournalError(PathmoveError):
    """The journal refuses: nothing to undo, files changed since apply, or a write failed."""


class ConcurrentChangeError(JournalError):
    """A file changed on disk between plan and write."""


class Interrupted(PathmoveError):
    """Ctrl-C during apply or undo: the journal is intact; the command stopped between two steps."""

    exit_code = 130
