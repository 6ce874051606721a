"""Error classes of the archive library.

Every error carries a stable snake_case ``code`` (the app translates it into Vietnamese)
and an English message for logs.
"""

from __future__ import annotations

__all__ = [
    "ArchiveError",
    "InvalidMetadata",
    "PackageBuildError",
    "PackageInvalid",
    "RenditionError",
    "RetentionError",
]


class ArchiveError(Exception):
    """Base class: ``code`` is stable and machine-readable, the message is for humans."""

    code: str = "archive_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self)


class InvalidMetadata(ArchiveError):
    """A RecordInfo/DocumentInfo/FileRef value breaks a rule (empty title, negative pages...)."""

    code = "invalid_metadata"


class RetentionError(ArchiveError):
    """A retention value cannot be parsed or a retention end cannot be computed."""

    code = "retention_undetermined"


class PackageBuildError(ArchiveError):
    """build_package could not produce a package (source bytes differ from their FileRef...)."""

    code = "package_build_failed"


class PackageInvalid(ArchiveError):
    """read_package refused a package; ``problems`` holds the verification problems."""

    code = "package_invalid"

    def __init__(self, message: str, *, problems: tuple = (), code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.problems = problems

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(p.code for p in self.problems)


class RenditionError(ArchiveError):
    """A PDF/A conversion failed (tool missing, timeout, bad output)."""

    code = "rendition_failed"
