"""DOCX (and other office files) to PDF with LibreOffice in headless mode.

One conversion at a time per process (a lock: the machine has two cores and soffice takes one
fully for ~1.6 s), each in a fresh temporary directory, with a private LibreOffice profile per
process (``-env:UserInstallation``): a shared or default profile would let two processes hand
documents to each other's running instance, and a warm profile saves ~0.8 s per call. A profile
left behind by a killed or failed run is thrown away and rebuilt on the next call.

soffice runs in its own session, so a timeout kills the whole process group (oosplash and
soffice.bin). Call this from a background job, never inside a web request.

Export options: bookmarks become named destinations (how :mod:`.anchors` finds the number and
date lines), no LibreOffice form fields (the signing package adds its own), optionally PDF/A-2b.
"""
from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from flask_babel import lazy_gettext as _l

from edoc.errors import ServiceUnavailable, ValidationError

__all__ = ["convert_to_pdf", "docx_to_pdf", "find_soffice"]

logger = logging.getLogger(__name__)

_LOCK = threading.Lock()
_profile: tuple[int, Path] | None = None  # (pid that made it, directory)
_ZIP_MAGIC = b"PK\x03\x04"
_OFFICE_ZIP_SUFFIXES = frozenset({".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"})


def find_soffice() -> str | None:
    """The soffice executable on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _filter(pdfa: bool) -> str:
    options: dict[str, dict[str, object]] = {
        "ExportBookmarksToPDFDestination": {"type": "boolean", "value": True},
        "ExportFormFields": {"type": "boolean", "value": False},
        "ExportNotes": {"type": "boolean", "value": False},
    }
    if pdfa:
        options["SelectPdfVersion"] = {"type": "long", "value": "2"}  # PDF/A-2b
    return "pdf:writer_pdf_Export:" + json.dumps(options, separators=(",", ":"))


def _profile_dir() -> Path:
    """This process's LibreOffice profile (a forked worker gets its own)."""
    global _profile
    if _profile is None or _profile[0] != os.getpid():
        path = Path(tempfile.mkdtemp(prefix="edoc-lo-profile-"))
        _profile = (os.getpid(), path)
        atexit.register(shutil.rmtree, path, True)
    return _profile[1]


def _drop_profile() -> None:
    global _profile
    if _profile is not None and _profile[0] == os.getpid():
        shutil.rmtree(_profile[1], ignore_errors=True)
    _profile = None


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _failed(**details: object) -> ValidationError:
    return ValidationError(_l("Không chuyển đổi được tệp sang PDF. Tệp có thể bị hỏng hoặc "
                              "không đúng định dạng."), code="conversion_failed", **details)


def convert_to_pdf(data: bytes, *, filename: str = "document.docx", timeout: float = 120,
                   pdfa: bool = False, soffice: str | None = None) -> bytes:
    """Convert an office document (the suffix of ``filename`` tells its format) to PDF bytes.

    Raises ServiceUnavailable ``converter_missing`` (no LibreOffice) or ``conversion_timeout``,
    ValidationError ``conversion_failed`` (LibreOffice could not read or convert the file).
    """
    binary = soffice or find_soffice()
    if not binary or (not Path(binary).exists() and shutil.which(binary) is None):
        raise ServiceUnavailable(_l("Máy chủ chưa cài LibreOffice nên không chuyển được văn "
                                    "bản sang PDF."), code="converter_missing")
    suffix = (Path(filename).suffix or ".docx").lower()
    if not data:
        raise _failed(reason="empty")
    if suffix in _OFFICE_ZIP_SUFFIXES and not data.startswith(_ZIP_MAGIC):
        raise _failed(reason="not_a_zip_package")

    with _LOCK, tempfile.TemporaryDirectory(prefix="edoc-lo-") as work_dir:
        work = Path(work_dir)
        source = work / f"input{suffix}"
        source.write_bytes(data)
        outdir = work / "out"
        cmd = [binary, f"-env:UserInstallation={_profile_dir().as_uri()}", "--headless",
               "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
               "--convert-to", _filter(pdfa), "--outdir", str(outdir), str(source)]
        env = {**os.environ, "HOME": str(work), "TMPDIR": str(work)}
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, cwd=work,
                                start_new_session=True)
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc.pid)
            proc.communicate()
            _drop_profile()
            raise ServiceUnavailable(_l("Chuyển đổi sang PDF quá thời gian cho phép; hãy thử "
                                        "lại sau."), code="conversion_timeout",
                                     timeout=timeout) from None
        except BaseException:
            # Interrupted while soffice runs (not yet reaped, so its group id is still ours).
            _kill_group(proc.pid)
            proc.wait()
            raise

        result = outdir / "input.pdf"
        if proc.returncode != 0 or not result.is_file():
            logger.warning("LibreOffice could not convert %s (rc=%s): %s", filename,
                           proc.returncode, (stderr or stdout).decode("utf-8", "replace")[-500:])
            if proc.returncode != 0:
                _drop_profile()
            raise _failed(returncode=proc.returncode)
        pdf = result.read_bytes()
    if not pdf.startswith(b"%PDF-"):
        raise _failed(reason="not_a_pdf")
    return pdf


def docx_to_pdf(docx_bytes: bytes, *, timeout: float = 120, pdfa: bool = False,
                soffice: str | None = None) -> bytes:
    """PDF bytes of a DOCX (see :func:`convert_to_pdf` for the errors)."""
    return convert_to_pdf(docx_bytes, filename="document.docx", timeout=timeout, pdfa=pdfa,
                          soffice=soffice)
