"""Errors a user can cause when using the archive; each message is one sentence saying what to do."""


class ArchiveError(Exception):
    """The archive cannot do what was asked (it cannot be opened, or the request contradicts it)."""


class ArchiveLookupError(ArchiveError, LookupError):
    """An id or id prefix names no run or program, or more than one."""
