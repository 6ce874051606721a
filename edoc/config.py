"""Configuration: typed defaults <- instance file <- ``EDOC_*`` environment <- explicit mapping.

Every setting is declared once in :data:`SETTINGS` with its type, default and purpose; the README's
settings table is generated from this list (``flask edoc settings-table``), so the two cannot drift.
The Flask config key is the setting name; the environment variable is ``EDOC_`` + the name.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

DEFAULT_SECRET_KEY = "edoc-development-secret-key-change-me"  # noqa: S105 - refused in production


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    help: str


def _s(name: str, type_: type, default: Any, help_: str) -> Setting:
    return Setting(name, type_, default, help_)


SETTINGS: tuple[Setting, ...] = (
    _s("ENV", str, "development", "development, testing or production. Production enforces the "
       "safety checks below."),
    _s("SECRET_KEY", str, DEFAULT_SECRET_KEY, "Signs sessions and CSRF tokens. Must be changed "
       "in production."),
    _s("DATABASE_URL", str, "", "SQLAlchemy URL. Empty: SQLite file `instance/edoc.sqlite3`. "
       "Production: `postgresql+psycopg://user:pass@host/db`."),
    _s("SQLITE_ANALYZE_MINUTES", int, 60, "SQLite only: minutes between two refreshes of the "
       "query planner's statistics by the jobs worker (0: never). Without them SQLite picks "
       "plans that scan a whole table for the inboxes."),
    _s("STORAGE_BACKEND", str, "filesystem", "Object store: `filesystem` (embedded default), "
       "`minio` (production) or `memory` (tests)."),
    _s("STORAGE_PATH", str, "", "Folder of the filesystem store. Empty: `instance/objects`."),
    _s("MINIO_ENDPOINT", str, "", "MinIO host:port, e.g. `minio.internal:9000`."),
    _s("MINIO_ACCESS_KEY", str, "", "MinIO access key."),
    _s("MINIO_SECRET_KEY", str, "", "MinIO secret key."),
    _s("MINIO_BUCKET", str, "edoc", "Bucket for document files (created with object lock)."),
    _s("MINIO_SECURE", bool, True, "Use HTTPS to reach MinIO (object-lock uploads need it)."),
    _s("MINIO_CA_FILE", str, "", "CA bundle that signs MinIO's TLS certificate (optional)."),
    _s("MINIO_REGION", str, "us-east-1", "Region name sent to MinIO."),
    _s("MINIO_LOCK_MODE", str, "COMPLIANCE", "Object-lock mode for archived files: COMPLIANCE or "
       "GOVERNANCE."),
    _s("ALLOW_FILESYSTEM_STORE", bool, False, "Allow the filesystem store in production."),
    _s("ALLOW_DEFAULT_PASSWORDS", bool, False, "Allow users with demo passwords in production."),
    _s("MAX_UPLOAD_MB", int, 100, "Largest accepted upload, in MB; larger requests get 413."),
    _s("DEFAULT_LOCALE", str, "vi", "Interface language: `vi` (default) or `en`."),
    _s("TIMEZONE", str, "Asia/Ho_Chi_Minh", "Time zone for dates shown and for the yearly "
       "restart of register numbers."),
    _s("LOGIN_MAX_FAILURES", int, 5, "Failed logins in a row before the account is locked."),
    _s("LOGIN_LOCKOUT_MINUTES", int, 15, "How long a locked account stays locked."),
    _s("API_TOKEN_HOURS", int, 12, "Lifetime of an API token."),
    _s("PASSWORD_HASH_METHOD", str, "scrypt", "werkzeug password hash method."),
    _s("SESSION_COOKIE_SECURE", bool, False, "Send the session cookie over HTTPS only (forced on "
       "in production)."),
    _s("STORAGE_GC_GRACE_HOURS", int, 24, "`flask storage gc` keeps unreferenced objects younger "
       "than this."),
    _s("DEMO_PASSWORD", str, "edoc-demo",
       "Password given to demo users by `flask edoc seed-demo`."),
    _s("MINIO_CONNECT_TIMEOUT", int, 5, "Seconds to wait for a connection to MinIO."),
    _s("MINIO_READ_TIMEOUT", int, 60, "Seconds to wait for data from MinIO."),
    _s("DEFAULT_DEADLINE_DAYS", int, 10, "Working days given to an assignment when the leader "
       "sets no deadline."),
    # --- digital signatures ---
    _s("SIGNING_TRUST_ROOTS", str, "", "PEM files of the trusted root CAs for signature "
       "verification (separated by `:` or `,`). In development and testing the test PKI root is "
       "added."),
    _s("SIGNING_CRL_FILES", str, "", "CRL files (DER or PEM) used for revocation checks, "
       "separated by `:` or `,`."),
    _s("SIGNING_REVOCATION_MODE", str, "soft-fail", "`soft-fail` (missing revocation data is "
       "accepted) or `hard-fail` (needs a CRL/OCSP answer: set SIGNING_CRL_FILES or "
       "SIGNING_ALLOW_FETCHING)."),
    _s("SIGNING_ALLOW_FETCHING", bool, False, "Let verification download CRLs, OCSP answers and "
       "missing certificates from the URLs in the certificates."),
    _s("SIGNING_LEVEL", str, "B-B", "PAdES level of new signatures: B-B, B-T, B-LT or B-LTA (B-T "
       "and above need SIGNING_TSA_URL)."),
    _s("SIGNING_TSA_URL", str, "", "RFC 3161 time-stamping authority URL (empty: no "
       "time-stamp)."),
    _s("SIGNING_SEAL_PASSPHRASE", str, "", "Passphrase/PIN of the agency seal key held by the "
       "server. Empty: the clerk types it each time."),
    _s("SIGNING_PKCS11_LIBRARY", str, "", "PKCS#11 module (.so) for token/HSM credentials, e.g. "
       "`/usr/lib/softhsm/libsofthsm2.so`."),
    _s("SIGNING_TEST_PKI_DIR", str, "", "Folder of the test PKI made by `flask signing "
       "test-pki`. Empty: `instance/pki`."),
    _s("SIGNING_IMAGE_MAX_KB", int, 1024, "Largest signature or seal PNG accepted, in KB."),
    # --- exchange with the provincial axis ---
    _s("AXIS_URL", str, "", "Base URL of the interconnection axis; empty turns exchange off "
       "(`make run` points it at the bundled axis simulator)."),
    _s("AXIS_SYSTEM_ID", str, "", "System id on the axis, when given here rather than per "
       "agency in the database (`flask exchange credentials`)."),
    _s("AXIS_SECRET", str, "", "Secret (HMAC key) of that system id; never logged."),
    _s("AXIS_ORGAN_ID", str, "", "Agency the credentials above belong to; empty: the only hosted "
       "agency."),
    _s("AXIS_POLL_SECONDS", int, 30, "Seconds between polls of the axis for new messages."),
    _s("AXIS_TIMEOUT", int, 30, "Read timeout of one request to the axis, in seconds."),
    _s("AXIS_RETRIES", int, 1, "Immediate retries of one request on connection errors or 5xx."),
    _s("AXIS_CONCURRENCY", int, 4, "Threads that fetch, pre-store and acknowledge messages "
       "around the in-order apply."),
    _s("AXIS_PREFETCH_PROCESSES", int, 2, "Worker processes that fetch, parse, pre-store and "
       "check the signatures of received messages when at least 8 wait (0: threads only)."),
    _s("AXIS_BACKOFF_SECONDS", int, 5, "First delay before an outbox retry; doubles each "
       "failure."),
    _s("AXIS_MAX_BACKOFF_SECONDS", int, 600, "Longest delay between outbox retries."),
    _s("AXIS_INBOUND_MAX_ATTEMPTS", int, 10, "Tries of a received message failing on our side "
       "before it is refused."),
    _s("AXIS_SIGN_XML", bool, False, "Sign outgoing envelopes with XML-DSig."),
    _s("AXIS_XML_KEY_FILE", str, "", "PEM private key for the XML-DSig of outgoing envelopes."),
    _s("AXIS_XML_CERT_FILE", str, "", "PEM certificate for that signature."),
    _s("AXIS_XML_KEY_PASSPHRASE", str, "", "Passphrase of that key."),
    _s("AXIS_DEMO_SIMULATOR", bool, True, "`make run` starts the axis simulator beside the app."),
    # --- records and the agency archive ---
    _s("ARCHIVE_PERMANENT_LOCK_YEARS", int, 100, "Object-lock retention given to the files of "
       "permanent (Vĩnh viễn) records, in years; they also get a legal hold, which never "
       "expires."),
    _s("ARCHIVE_RENDITIONS", bool, True, "Add PDF/A-2b renditions (Ghostscript/ocrmypdf) to "
       "archival packages."),
    _s("ARCHIVE_RENDITION_TIMEOUT", int, 120, "Seconds one PDF/A conversion may take before it "
       "is abandoned."),
    _s("ARCHIVE_SIGNATURE_POLICY", str, "intact", "How package verification judges PDF "
       "signatures: `intact` (refuse altered or broken signatures; untrusted roots are "
       "reported, not refused) or `valid` (every signature must be valid and trusted)."),
    _s("ARCHIVE_FIXITY_INTERVAL_HOURS", int, 24, "Hours between two runs of the scheduled fixity "
       "job."),
    _s("ARCHIVE_FIXITY_BATCH", int, 10000, "Most archived objects one fixity run re-hashes (the "
       "least recently checked first); 0 means all."),
    _s("ARCHIVE_INDEX_MAX_CHARS", int, 100_000, "Characters of a document's text kept in the "
       "archive search index."),
    _s("ARCHIVE_ACCESS_MAX_DAYS", int, 90, "Longest access period (khai thác) the archivist may "
       "grant, in days."),
    _s("ARCHIVE_RETENTION_START", str, "next_year", "When a retention period starts counting: "
       "`next_year` (1 January after the record's end date, TT 10/2022 as commonly read), "
       "`same_year` or `end_date`."),
    _s("ARCHIVE_IMPORT_MAX_MB", int, 2048, "Largest archival package accepted for import, "
       "unpacked, in MB."),
)

SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}


class ConfigError(RuntimeError):
    """The configuration is unsafe or inconsistent; the app refuses to start."""


def _coerce(setting: Setting, raw: str) -> Any:
    if setting.type is bool:
        value = raw.strip().lower()
        if value in {"1", "true", "yes", "on"}:
            return True
        if value in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigError(f"EDOC_{setting.name}: expected a boolean, got {raw!r}")
    if setting.type is int:
        try:
            return int(raw)
        except ValueError as exc:
            raise ConfigError(f"EDOC_{setting.name}: expected an integer, got {raw!r}") from exc
    return raw


def load_config(app: Flask, overrides: Mapping[str, Any] | None = None) -> None:
    """Fill ``app.config`` from defaults, the instance file, the environment, then overrides."""
    for s in SETTINGS:
        app.config[s.name] = s.default
    cfg_file = os.environ.get("EDOC_CONFIG_FILE") or os.path.join(app.instance_path, "edoc.cfg")
    if os.path.exists(cfg_file):
        app.config.from_pyfile(cfg_file)
    for s in SETTINGS:
        raw = os.environ.get(f"EDOC_{s.name}")
        if raw is not None:
            app.config[s.name] = _coerce(s, raw)
    if overrides:
        app.config.update(overrides)
    _derive(app)


def _derive(app: Flask) -> None:
    """Settings Flask and its extensions read under their own names."""
    cfg = app.config
    instance = Path(app.instance_path)
    if not cfg["DATABASE_URL"]:
        cfg["DATABASE_URL"] = f"sqlite:///{instance / 'edoc.sqlite3'}"
    if not cfg["STORAGE_PATH"]:
        cfg["STORAGE_PATH"] = str(instance / "objects")
    cfg["SQLALCHEMY_DATABASE_URI"] = cfg["DATABASE_URL"]
    from edoc.database import engine_options

    cfg.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(cfg["DATABASE_URL"]))
    cfg["MAX_CONTENT_LENGTH"] = int(cfg["MAX_UPLOAD_MB"]) * 1024 * 1024
    cfg["BABEL_DEFAULT_LOCALE"] = cfg["DEFAULT_LOCALE"]
    cfg["BABEL_DEFAULT_TIMEZONE"] = cfg["TIMEZONE"]
    cfg["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(__file__).parent / "translations")
    cfg["SESSION_COOKIE_HTTPONLY"] = True
    cfg["SESSION_COOKIE_SAMESITE"] = "Lax"
    cfg["REMEMBER_COOKIE_HTTPONLY"] = True
    cfg["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    cfg["WTF_CSRF_TIME_LIMIT"] = None  # token lives as long as the session
    if cfg["ENV"] == "production":
        cfg["SESSION_COOKIE_SECURE"] = True
        cfg["REMEMBER_COOKIE_SECURE"] = True
    if cfg["ENV"] == "testing":
        cfg["TESTING"] = True


def validate(app: Flask) -> None:
    """Refuse to run production with development defaults."""
    cfg = app.config
    if cfg["ENV"] not in {"development", "testing", "production"}:
        raise ConfigError("EDOC_ENV must be development, testing or production, "
                          f"not {cfg['ENV']!r}")
    if cfg["STORAGE_BACKEND"] not in {"filesystem", "minio", "memory"}:
        raise ConfigError(f"EDOC_STORAGE_BACKEND: unknown backend {cfg['STORAGE_BACKEND']!r}")
    _validate_archive(cfg)
    if cfg["ENV"] != "production":
        return
    if cfg["SECRET_KEY"] == DEFAULT_SECRET_KEY or len(cfg["SECRET_KEY"]) < 32:
        raise ConfigError("production needs EDOC_SECRET_KEY set to a random value of 32+ "
                          "characters")
    if cfg["STORAGE_BACKEND"] == "memory":
        raise ConfigError("the memory object store loses every file on restart")
    if cfg["STORAGE_BACKEND"] == "filesystem" and not cfg["ALLOW_FILESYSTEM_STORE"]:
        raise ConfigError(
            "production uses MinIO; set EDOC_ALLOW_FILESYSTEM_STORE=true to keep the "
            "filesystem store"
        )


#: settings that name one of a few choices
_CHOICES = {
    "ARCHIVE_SIGNATURE_POLICY": ("intact", "valid"),
    "ARCHIVE_RETENTION_START": ("next_year", "same_year", "end_date"),
}
#: integer settings and their least sensible value (a lock of 0 years, a fixity job every 0
#: hours or an access period of 0 days is a typo, not a policy)
_AT_LEAST = {
    "ARCHIVE_PERMANENT_LOCK_YEARS": 1,
    "ARCHIVE_RENDITION_TIMEOUT": 1,
    "ARCHIVE_FIXITY_INTERVAL_HOURS": 1,
    "ARCHIVE_FIXITY_BATCH": 0,
    "ARCHIVE_INDEX_MAX_CHARS": 0,
    "ARCHIVE_ACCESS_MAX_DAYS": 1,
    "ARCHIVE_IMPORT_MAX_MB": 1,
}


def _validate_archive(cfg: Mapping[str, Any]) -> None:
    """The archive's settings, checked at start rather than at the first transfer or fixity run
    (values from the instance file or overrides are not coerced, so the type is checked too)."""
    for name, choices in _CHOICES.items():
        if cfg[name] not in choices:
            raise ConfigError(f"EDOC_{name} must be one of {', '.join(choices)}, "
                              f"not {cfg[name]!r}")
    for name, least in _AT_LEAST.items():
        value = cfg[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ConfigError(f"EDOC_{name} must be a whole number of at least {least}, "
                              f"not {value!r}")
    if not isinstance(cfg["ARCHIVE_RENDITIONS"], bool):
        raise ConfigError("EDOC_ARCHIVE_RENDITIONS must be true or false, "
                          f"not {cfg['ARCHIVE_RENDITIONS']!r}")
