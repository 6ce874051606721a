"""Benchmark: visible PAdES B-B signature of a 10-page PDF with RSA-2048, and its verification.

Runs once and prints a markdown table: edoc's ``signing`` library beside the straightforward
pyHanko use (SimpleSigner, TextStampStyle with Noto Sans text and a PNG background, size found
by a dry-run signature). ``--profile`` adds a cProfile listing of edoc's signing path.

    .venv/bin/python bench/signing.py [--n 50] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fpdf import FPDF
from PIL import Image, ImageDraw
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext

from signing import (
    SignatureAppearance,
    TrustSettings,
    load_pkcs12,
    sign_pdf,
    verify_pdf,
)
from signing.testpki import create_test_pki

NOTO = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"
PASS = "edoc-demo"


def make_pdf(pages: int) -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_font("Noto", "", NOTO)
    pdf.set_font("Noto", size=12)
    for i in range(pages):
        pdf.add_page()
        for j in range(35):
            pdf.cell(
                0,
                7,
                f"Trang {i + 1}, dòng {j + 1}: Quyết định phê duyệt kế hoạch năm 2025.",
                new_x="LMARGIN",
                new_y="NEXT",
            )
    return bytes(pdf.output())


def signature_png(path: Path) -> bytes:
    img = Image.new("RGBA", (420, 180), (0, 0, 0, 0))
    ImageDraw.Draw(img).line(
        [(20, 140), (120, 30), (200, 150), (300, 40), (400, 120)], fill=(0, 40, 200, 255), width=9
    )
    img.save(path, "PNG")
    return path.read_bytes()


def measure(fn: Callable[[], object], n: int, warmup: int = 2) -> tuple[float, float, float]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), min(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=50, help="runs for edoc's paths")
    parser.add_argument("--n-baseline", type=int, default=10, help="runs for plain pyHanko")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="edoc-bench-"))
    pki = create_test_pki(
        tmp, users={"an": "Nguyễn Văn An"}, agency="UBND tỉnh Vĩnh Phúc", passphrase=PASS
    )
    pdf = make_pdf(10)
    png = signature_png(tmp / "sig.png")
    key = load_pkcs12(pki.users["an"], PASS)
    agency = load_pkcs12(pki.agency, PASS)
    trust = TrustSettings(trust_roots=(pki.root_certificate.read_bytes(),))
    signer_ap = SignatureAppearance(kind="signer", image=png)
    seal_ap = SignatureAppearance(kind="seal", image=png, image_width_mm=36)

    rows: list[tuple[str, int, tuple[float, float, float]]] = []

    t0 = time.perf_counter()
    signed = sign_pdf(pdf, key, appearance=signer_ap)
    cold = (time.perf_counter() - t0) * 1000

    rows.append(
        (
            "edoc sign, signer stamp (image + name)",
            args.n,
            measure(lambda: sign_pdf(pdf, key, appearance=signer_ap), args.n),
        )
    )
    rows.append(
        (
            "edoc sign, seal stamp (image + agency + time)",
            args.n,
            measure(lambda: sign_pdf(signed, agency, appearance=seal_ap), args.n),
        )
    )
    rows.append(
        (
            "edoc verify (1 signature)",
            args.n,
            measure(lambda: verify_pdf(signed, trust=trust), args.n),
        )
    )
    report = verify_pdf(signed, trust=trust)
    assert report.verdict == "valid", report

    # The straightforward pyHanko use, as measured in the spike.
    plain_signer = signers.SimpleSigner.load_pkcs12(str(pki.users["an"]), passphrase=PASS.encode())
    style = TextStampStyle(
        stamp_text="Ký bởi: %(signer)s\nThời gian: %(ts)s",
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(NOTO), font_size=8),
        background=PdfImage(str(tmp / "sig.png")),
    )

    def plain_sign() -> bytes:
        meta = signers.PdfSignatureMetadata(
            field_name="Sig1", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"
        )
        pdf_signer = signers.PdfSigner(
            meta,
            signer=plain_signer,
            stamp_style=style,
            new_field_spec=fields.SigFieldSpec("Sig1", on_page=9, box=(350, 40, 560, 130)),
        )
        return pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf))).getvalue()

    plain_signed = plain_sign()
    root = load_cert_from_pemder(str(pki.root_certificate))

    def plain_verify() -> None:
        sig = PdfFileReader(io.BytesIO(plain_signed)).embedded_signatures[0]
        assert validate_pdf_signature(sig, ValidationContext(trust_roots=[root])).bottom_line

    rows.append(
        (
            "pyHanko straightforward sign (text stamp, Noto Sans)",
            args.n_baseline,
            measure(plain_sign, args.n_baseline, warmup=1),
        )
    )
    rows.append(
        (
            "pyHanko straightforward verify",
            args.n_baseline,
            measure(plain_verify, args.n_baseline, warmup=1),
        )
    )

    print(
        f"PAdES B-B, RSA-2048, visible stamp, {len(pdf) // 1024} KB 10-page PDF "
        f"(edoc output {len(signed) // 1024} KB)\n"
    )
    print("| case | N | median ms | min ms | max ms |")
    print("|---|---|---|---|---|")
    for name, n, (med, lo, hi) in rows:
        print(f"| {name} | {n} | {med:.1f} | {lo:.1f} | {hi:.1f} |")
    print(f"| edoc sign, first call (renders and caches the stamp) | 1 | {cold:.1f} | | |")
    print("\nTargets: sign <= 50 ms, verify <= 25 ms (median).")

    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(20):
            sign_pdf(pdf, key, appearance=signer_ap)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
