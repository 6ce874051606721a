"""OCR of scanned PDFs with ocrmypdf and Debian's tesseract-ocr-vie, run as a subprocess.

Called from a background job by the app, never inside a request: a page takes about half a
second of CPU, a long scan minutes. The output is a new file (``--output-type pdf``: the original
images plus an invisible text layer); the caller keeps the original and stores the OCRed copy as
a derived rendition.

OCR only applies to unsigned scans. Rewriting a PDF invalidates any digital signature in it, so
a signed PDF is refused (ocrmypdf's own check, reported here as ``ocr_signed_pdf``) and the
signature question never arises in this module. The subprocess runs in its own process group, so
a timeout ends ocrmypdf together with the tesseract and ghostscript processes it started.
"""
from __future__ import annotations

import contextlib
import functools
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l

from edoc.errors import EdocError

__all__ = ["OcrError", "OcrResult", "OcrUnavailable", "available_languages", "ocr_pdf"]

logger = logging.getLogger(__name__)

_MODES = {"skip": "--skip-text", "redo": "--redo-ocr", "force": "--force-ocr"}
# ocrmypdf's exit codes (ocrmypdf.exceptions.ExitCode)
_EXIT_INPUT_FILE, _EXIT_MISSING_DEPENDENCY, _EXIT_ALREADY_DONE = 2, 3, 6
_EXIT_ENCRYPTED, _EXIT_INVALID_CONFIG = 8, 9


class OcrError(EdocError):
    """OCR did not produce a file. Raised in background jobs; ``code`` says why."""

    status, code = 500, "ocr_failed"
    default_message = _l("Không nhận dạng được chữ (OCR) cho tệp này.")


class OcrUnavailable(OcrError):
    status, code = 503, "ocr_unavailable"
    default_message = _l("Chức năng nhận dạng chữ (OCR) chưa sẵn sàng trên máy chủ: thiếu "
                         "tesseract hoặc dữ liệu tiếng Việt (gói tesseract-ocr-vie).")


@dataclass(frozen=True, slots=True)
class OcrResult:
    output_path: Path
    language: str
    mode: str
    seconds: float


@functools.lru_cache(maxsize=4)
def available_languages(tesseract: str = "tesseract") -> frozenset[str]:
    """Languages tesseract has data for (empty when tesseract is missing)."""
    exe = shutil.which(tesseract)
    if exe is None:
        return frozenset()
    try:
        proc = subprocess.run([exe, "--list-langs"], capture_output=True, text=True,
                              timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    lines = (proc.stdout or proc.stderr).splitlines()
    return frozenset(ln.strip() for ln in lines[1:] if ln.strip() and " " not in ln.strip())


def _check_available(language: str) -> None:
    if shutil.which("tesseract") is None:
        raise OcrUnavailable(code="ocr_unavailable", missing="tesseract")
    wanted = language.split("+")
    if not set(wanted) <= available_languages():
        available_languages.cache_clear()  # the package may have been installed since
    have = available_languages()
    missing = [lang for lang in wanted if lang not in have]
    if missing:
        raise OcrUnavailable(
            _l("Thiếu dữ liệu ngôn ngữ cho OCR: %(languages)s (cài gói tesseract-ocr-%(first)s).",
               languages=", ".join(missing), first=missing[0]),
            code="ocr_unavailable", missing=missing)


def _tail(text: str, limit: int = 2000) -> str:
    return text[-limit:] if text else ""


def ocr_pdf(src_path: str | os.PathLike[str], dst_path: str | os.PathLike[str], *,
            language: str = "vie", timeout: float = 600.0, mode: str = "auto",
            jobs: int = 1, rotate_pages: bool = False) -> OcrResult:
    """OCR ``src_path`` into ``dst_path`` (a new PDF with a text layer).

    ``mode``: ``"skip"`` (``--skip-text``: pages that already have text are left alone, right
    for plain scans), ``"redo"`` (``--redo-ocr``: replaces an old OCR layer and reads pages whose
    only text is a scanner watermark, which ``--skip-text`` would skip), ``"force"`` (rasterise
    every page) or ``"auto"`` (the default: ``ExtractResult.ocr_mode`` of the source, so "redo"
    only when a page needing OCR already carries some text). ``jobs`` caps the CPU cores used.

    Raises OcrUnavailable when tesseract or the language data is missing, OcrError otherwise
    (``ocr_timeout``, ``ocr_signed_pdf``, ``ocr_encrypted_pdf``, ``ocr_bad_input``,
    ``ocr_failed``). ``dst_path`` must differ from ``src_path``.
    """
    if mode not in (*_MODES, "auto"):
        raise ValueError(f"mode must be 'auto' or one of {sorted(_MODES)}")
    src, dst = Path(src_path), Path(dst_path)
    _check_available(language)
    if mode == "auto":
        mode = _auto_mode(src)
    cmd = [sys.executable, "-m", "ocrmypdf", "-l", language, "--output-type", "pdf",
           _MODES[mode], "--jobs", str(max(1, jobs)), "--quiet"]
    if rotate_pages:
        cmd.append("--rotate-pages")
    cmd += ["--", str(src), str(dst)]
    # One tesseract thread per job: the machine is shared and ocrmypdf already parallelises.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            start_new_session=True)
    try:
        _, stderr_bytes = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        dst.unlink(missing_ok=True)
        raise OcrError(_l("Nhận dạng chữ (OCR) quá thời gian cho phép (%(seconds)d giây).",
                          seconds=int(timeout)), code="ocr_timeout", timeout=timeout) from None
    except BaseException:
        _kill_group(proc)
        raise
    seconds = time.monotonic() - started
    stderr = stderr_bytes.decode("utf-8", "replace")
    if proc.returncode != 0:
        dst.unlink(missing_ok=True)
        raise _error_for(proc.returncode, stderr)
    if not dst.is_file() or dst.stat().st_size == 0:
        raise OcrError(code="ocr_failed", returncode=0, stderr=_tail(stderr))
    logger.info("OCR %s (%s, %s) in %.1f s", src.name, language, mode, seconds)
    return OcrResult(output_path=dst, language=language, mode=mode, seconds=seconds)


def _auto_mode(src: Path) -> str:
    from edoc.capture.extract import extract_pdf

    try:
        return extract_pdf(src.read_bytes()).ocr_mode or "skip"
    except Exception:  # unreadable here: let ocrmypdf report on the file itself
        return "skip"


def _kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _error_for(returncode: int, stderr: str) -> OcrError:
    lowered = stderr.lower()
    details = {"returncode": returncode, "stderr": _tail(stderr)}
    if "digital signature" in lowered:
        return OcrError(_l("Tệp PDF đã được ký số: OCR sẽ làm mất hiệu lực chữ ký nên không "
                           "thực hiện."), code="ocr_signed_pdf", **details)
    if returncode == _EXIT_ENCRYPTED:
        return OcrError(_l("Tệp PDF được mã hóa nên không thể nhận dạng chữ."),
                        code="ocr_encrypted_pdf", **details)
    if returncode in (_EXIT_MISSING_DEPENDENCY, _EXIT_INVALID_CONFIG) or (
            "language data" in lowered or ("tesseract" in lowered and "not found" in lowered)):
        return OcrUnavailable(code="ocr_unavailable", **details)
    if returncode in (_EXIT_INPUT_FILE, _EXIT_ALREADY_DONE):
        return OcrError(_l("Tệp PDF không phù hợp để nhận dạng chữ (OCR)."),
                        code="ocr_bad_input", **details)
    return OcrError(code="ocr_failed", **details)
