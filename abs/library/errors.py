"""Errors of the deal library (a :class:`~abs.errors.DabsError`, so the CLI exits 2)."""

from __future__ import annotations

from abs.errors import DabsError


class LibraryError(DabsError):
    """The deal library refused a request or could not be reached.

    Messages say what was asked, what is wrong and the value received, e.g. an unknown deal
    (listing the deals there are), a version that does not exist, or a database URL that
    cannot be opened.
    """


class NotFoundError(LibraryError):
    """A deal, version, run or export named by the user is not in the library."""


class ImmutableError(LibraryError):
    """An attempt to change or delete a stored version, run, export or blob (never allowed)."""
