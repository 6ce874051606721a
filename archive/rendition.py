"""PDF/A-2b renditions of PDFs, made by Ghostscript or ocrmypdf when one is installed.

A rendition is a preservation copy beside the signed original, never a replacement: converting
rewrites the file and so drops the signature. Conversion failures are data, not exceptions
for the package build: :func:`to_pdfa` returns None, :func:`convert_to_pdfa` raises a
RenditionError with a code the build records as a warning.

Ghostscript 10.0.0-10.02.0 (Debian 12) has known text regressions (ocrmypdf refuses
``--skip-text`` with them), so every output is checked: it must declare PDF/A-2 in its XMP,
have the source's page count, and carry the same text on its first pages.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

from .errors import RenditionError
from .mets_schema import safe_parser

__all__ = [
    "DEFAULT_CONVERTERS",
    "Rendition",
    "available_converters",
    "convert_to_pdfa",
    "pdfa_identification",
    "to_pdfa",
]

DEFAULT_CONVERTERS: tuple[str, ...] = ("gs", "ocrmypdf")
PDFA_FORMAT = "PDF/A-2b"
_PDFAID_NS = "http://www.aiim.org/pdfa/ns/id/"
_TEXT_PAGES = 3  # pages compared between source and rendition
_TEXT_CHARS = 4000  # characters compared (difflib is quadratic in the worst case)


@dataclass(frozen=True)
class Rendition:
    path: Path
    tool: str
    tool_version: str
    format: str = PDFA_FORMAT


def _which(name: str) -> str | None:
    found = shutil.which(name)
    if found is None and name == "ocrmypdf":
        # ocrmypdf comes from PyPI: it sits beside the interpreter even when the venv's bin
        # directory is not on PATH.
        beside = Path(sys.executable).with_name("ocrmypdf")
        found = str(beside) if beside.is_file() else None
    return found


def available_converters(converters: Sequence[str] = DEFAULT_CONVERTERS) -> tuple[str, ...]:
    return tuple(name for name in converters if _which(name))


@cache
def _version(executable: str) -> str:
    try:
        done = subprocess.run([executable, "--version"], capture_output=True, text=True,
                              timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip().splitlines()[0] if done.stdout.strip() else ""


def _ps_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def _gs_command(exe: str, src: Path, dst: Path, workdir: Path) -> list[str]:
    # PDF/A needs an output intent with an embedded ICC profile; Pillow's built-in sRGB
    # profile saves hunting for Ghostscript's data directory.
    from PIL import ImageCms

    icc = workdir / "srgb.icc"
    icc.write_bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    prefix = workdir / "pdfa_def.ps"
    prefix.write_text(
        "%!\n"
        f"/ICCProfile {_ps_string(str(icc))} def\n"
        "[/_objdef {icc_PDFA} /type /stream /OBJ pdfmark\n"
        "[{icc_PDFA} << /N 3 >> /PUT pdfmark\n"
        "[{icc_PDFA} ICCProfile (r) file /PUT pdfmark\n"
        "[/_objdef {OutputIntent_PDFA} /type /dict /OBJ pdfmark\n"
        "[{OutputIntent_PDFA} << /Type /OutputIntent /S /GTS_PDFA1"
        " /DestOutputProfile {icc_PDFA} /OutputConditionIdentifier (sRGB) >> /PUT pdfmark\n"
        "[{Catalog} << /OutputIntents [ {OutputIntent_PDFA} ] >> /PUT pdfmark\n",
        encoding="ascii",
    )
    return [
        exe, "-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", "-sDEVICE=pdfwrite",
        "-dPDFA=2", "-dPDFACompatibilityPolicy=1", "-sColorConversionStrategy=RGB",
        "-dAutoRotatePages=/None", f"--permit-file-read={workdir}/",
        f"-sOutputFile={dst}", str(prefix), str(src),
    ]


def _ocrmypdf_command(exe: str, src: Path, dst: Path, workdir: Path) -> list[str]:
    # --skip-text: never OCR a born-digital page; signatures are dropped on purpose.
    return [exe, "-q", "--skip-text", "--output-type", "pdfa-2",
            "--invalidate-digital-signatures", str(src), str(dst)]


_COMMANDS = {"gs": _gs_command, "ocrmypdf": _ocrmypdf_command}


def pdfa_identification(path: Path) -> tuple[str, str] | None:
    """(part, conformance) from the PDF's XMP pdfaid entries, e.g. ("2", "B"); None if absent."""
    import pypdf

    try:
        reader = pypdf.PdfReader(str(path))
        metadata = reader.trailer["/Root"].get("/Metadata")
        if metadata is None:
            return None
        xmp = metadata.get_object().get_data()
        root = etree.fromstring(xmp, safe_parser())
    except Exception:  # any unreadable PDF/XMP simply has no PDF/A claim
        return None
    for desc in root.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description"):
        part = desc.get(f"{{{_PDFAID_NS}}}part") or desc.findtext(f"{{{_PDFAID_NS}}}part")
        if part:
            conf = (desc.get(f"{{{_PDFAID_NS}}}conformance")
                    or desc.findtext(f"{{{_PDFAID_NS}}}conformance") or "")
            return part.strip(), conf.strip().upper()
    return None


def _pages_and_text(path: Path) -> tuple[int, str] | None:
    import pypdf

    try:
        reader = pypdf.PdfReader(str(path))
        pages = len(reader.pages)
        text = "".join(reader.pages[i].extract_text() or "" for i in range(min(pages,
                                                                                _TEXT_PAGES)))
    except Exception:  # unreadable by pypdf: nothing to compare
        return None
    return pages, "".join(text.split())[:_TEXT_CHARS]


def _check_output(src: Path, dst: Path, *, min_text_similarity: float) -> None:
    if not dst.is_file() or dst.stat().st_size == 0:
        raise RenditionError("converter wrote no output", code="rendition_invalid")
    ident = pdfa_identification(dst)
    if ident is None or ident[0] != "2":
        raise RenditionError(f"output does not declare PDF/A-2 ({ident})",
                             code="rendition_invalid")
    before, after = _pages_and_text(src), _pages_and_text(dst)
    if after is None:
        raise RenditionError("output cannot be read", code="rendition_invalid")
    if before is None:
        return
    if before[0] != after[0]:
        raise RenditionError(f"page count changed {before[0]} -> {after[0]}",
                             code="rendition_invalid")
    if before[1]:
        ratio = difflib.SequenceMatcher(None, before[1], after[1], autojunk=False).ratio()
        if ratio < min_text_similarity:
            raise RenditionError(f"text changed in conversion (similarity {ratio:.2f})",
                                 code="rendition_text_changed")


def _run(command: list[str], workdir: Path, timeout: float) -> tuple[int, bytes]:
    """Run in its own process group so a timeout also kills the tool's children
    (ocrmypdf starts Ghostscript and Tesseract)."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=workdir, start_new_session=True)
    try:
        _, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return proc.returncode, stderr


def _run_one(name: str, exe: str, src: Path, dst: Path, timeout: float,
             min_text_similarity: float) -> Rendition:
    with tempfile.TemporaryDirectory(prefix="pdfa-") as tmp:
        workdir = Path(tmp)
        out = workdir / "out.pdf"
        command = _COMMANDS[name](exe, src, out, workdir)
        try:
            returncode, stderr = _run(command, workdir, timeout)
        except subprocess.TimeoutExpired as exc:
            raise RenditionError(f"{name} timed out after {timeout}s",
                                 code="rendition_timeout") from exc
        except OSError as exc:
            raise RenditionError(f"{name} could not start: {exc}",
                                 code="rendition_failed") from exc
        if returncode != 0:
            tail = stderr.decode(errors="replace").strip()[-300:]
            raise RenditionError(f"{name} exited with {returncode}: {tail}",
                                 code="rendition_failed")
        _check_output(src, out, min_text_similarity=min_text_similarity)
        shutil.move(str(out), dst)
    return Rendition(path=dst, tool=name, tool_version=_version(exe))


def convert_to_pdfa(
    src: Path,
    dst: Path,
    *,
    timeout: float = 120.0,
    converters: Sequence[str] = DEFAULT_CONVERTERS,
    min_text_similarity: float = 0.9,
) -> Rendition:
    """Convert ``src`` to PDF/A-2b at ``dst`` with the first converter that succeeds.

    Raises RenditionError: ``rendition_unavailable`` (no converter installed),
    ``rendition_timeout``, ``rendition_failed``, ``rendition_invalid``,
    ``rendition_text_changed`` (the last failure when all converters fail).
    """
    src, dst = Path(src), Path(dst)
    last: RenditionError | None = None
    for name in converters:
        if name not in _COMMANDS:
            raise ValueError(f"unknown converter {name!r}")
        exe = _which(name)
        if exe is None:
            continue
        try:
            return _run_one(name, exe, src, dst, timeout, min_text_similarity)
        except RenditionError as exc:
            last = exc
    if last is not None:
        raise last
    raise RenditionError("no PDF/A converter installed (gs, ocrmypdf)",
                         code="rendition_unavailable")


def to_pdfa(src: Path, dst: Path, **options: object) -> Rendition | None:
    """Like :func:`convert_to_pdfa` but returns None instead of raising."""
    try:
        return convert_to_pdfa(src, dst, **options)  # type: ignore[arg-type]
    except RenditionError:
        return None
