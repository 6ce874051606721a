"""edoc archive library: record packages (BagIt + METS), retention, fixity, PDF/A renditions.

Pure library: no edoc, Flask or SQLAlchemy imports. See archive/README.md.
"""

from .codes import CONFIDENCE_LEVEL_CODES, LANGUAGE_CODES, MODE_CODES, Code
from .errors import (
    ArchiveError,
    InvalidMetadata,
    PackageBuildError,
    PackageInvalid,
    RenditionError,
    RetentionError,
)
from .fixity import FixityError, FixityItem, FixityMismatch, FixityReport, check_fixity
from .layout import PackageLayout
from .mets_schema import validate_mets
from .model import DocumentInfo, FileRef, RecordInfo
from .package import PackagedFile, PackageResult, PackageWarning, build_package
from .reader import PackageContents, PackageFiles, read_package
from .rendition import Rendition, convert_to_pdfa, pdfa_identification, to_pdfa
from .retention import (
    RETENTION_CHOICES,
    Eligibility,
    Retention,
    RetentionRule,
    RetentionStart,
    disposal_eligibility,
    is_retention_increase,
    retention_end,
)
from .transfer import (
    DOCUMENT_LIST_COLUMNS,
    TRANSFER_LIST_COLUMNS,
    DocumentListRow,
    TransferListRow,
    TransferRule,
    document_list_rows,
    is_transferable,
    transfer_deadline,
    transfer_list_rows,
)
from .verify import Problem, SignatureCheck, VerificationResult, verify_package

__all__ = [
    "CONFIDENCE_LEVEL_CODES",
    "DOCUMENT_LIST_COLUMNS",
    "LANGUAGE_CODES",
    "MODE_CODES",
    "RETENTION_CHOICES",
    "TRANSFER_LIST_COLUMNS",
    "ArchiveError",
    "Code",
    "DocumentInfo",
    "DocumentListRow",
    "Eligibility",
    "FileRef",
    "FixityError",
    "FixityItem",
    "FixityMismatch",
    "FixityReport",
    "InvalidMetadata",
    "PackageBuildError",
    "PackageContents",
    "PackageFiles",
    "PackageInvalid",
    "PackageLayout",
    "PackageResult",
    "PackageWarning",
    "PackagedFile",
    "Problem",
    "RecordInfo",
    "Rendition",
    "RenditionError",
    "Retention",
    "RetentionError",
    "RetentionRule",
    "RetentionStart",
    "SignatureCheck",
    "TransferListRow",
    "TransferRule",
    "VerificationResult",
    "build_package",
    "check_fixity",
    "convert_to_pdfa",
    "disposal_eligibility",
    "document_list_rows",
    "is_retention_increase",
    "is_transferable",
    "pdfa_identification",
    "read_package",
    "retention_end",
    "to_pdfa",
    "transfer_deadline",
    "transfer_list_rows",
    "validate_mets",
    "verify_package",
]
