"""A corpus of broken inputs, generated at test time (nothing large is stored).

``build_fault_corpus(folder)`` writes one file (or directory / link) per fault kind and returns
{kind: path}. Kinds that must load give a result; the others a ReportError naming the file.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from fixture_factory import (
    _pdf_bytes,
    docx_bytes,
    make_scanned_pdf,
    make_zip_bomb,
    report_pdf_pages,
    truncations,
)

# kinds for which a result (not an error) is the right outcome
LOADABLE = {"one_long_line", "repeated_enumerations", "only_table_digits", "only_english"}
# kinds where either a result or a clear error is acceptable
EITHER = {"mixed_encodings", "utf8_invalid_sequences", "html_no_body"}

PROSE = "本机关认真贯彻政府信息公开条例，全年主动公开政府信息一百二十条"


def build_fault_corpus(folder: Path, *, big_mb: int = 50, line_mb: int = 5) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}

    def w(name: str, data: bytes) -> Path:
        p = folder / name
        p.write_bytes(data)
        return p

    out["empty"] = w("empty.txt", b"")
    out["whitespace_only"] = w("whitespace.txt", " \n\t\r\n\u3000".encode())
    out["random_bytes"] = w("random.txt", random.Random(7).randbytes(4096))
    docx = docx_bytes(["某镇2023年政府信息公开工作年度报告", "一、总体情况", PROSE + "。"])
    for label, data in truncations(docx)[:3]:
        out[f"truncated_docx_{label}"] = w(f"truncated_{label}.docx", data)
    pages, _ = report_pdf_pages(2)
    pdf = _pdf_bytes(pages)
    for label, data in truncations(pdf)[:3]:
        out[f"truncated_pdf_{label}"] = w(f"truncated_{label}.pdf", data)
    out["zip_bomb_docx"] = make_zip_bomb(folder / "bomb.docx", 210)
    out["pdf_without_text"] = make_scanned_pdf(folder / "scanned.pdf")
    out["html_no_body"] = w("nobody.html", b"<html><head><title>x</title></head></html>")
    out["mixed_encodings"] = w("mixed.txt", ("某县2023年政府信息公开工作年度报告\n" + PROSE + "。\n").encode("utf-8")
                               + (PROSE + "。\n").encode("gb18030"))
    out["utf8_invalid_sequences"] = w("invalid_utf8.txt", ("某县年度报告\n" + PROSE).encode("utf-8")[:40] + b"\xff\xfe\xc3"
                                      + (PROSE + "。").encode("utf-8"))
    # a file over the size limit: sparse, so it costs no disk
    big = folder / "big.txt"
    with open(big, "wb") as f:
        f.truncate(big_mb * 1024 * 1024)
    out["fifty_mb_text"] = big
    unit = PROSE.encode("utf-8")
    out["one_long_line"] = w("oneline.txt", unit * (line_mb * 1024 * 1024 // len(unit)))
    out["repeated_enumerations"] = w("enum.txt", ("五、存在的主要问题及改进情况\n" + "".join(
        f"{'一二三四五六七八九'[i % 9]}是工作有待加强，" for i in range(5000)) + "。\n").encode("utf-8"))
    out["only_table_digits"] = w("digits.txt", ("\n".join("\t".join(str((i * j) % 10) for j in range(7))
                                                         for i in range(300))).encode())
    out["only_english"] = w("english.txt", b"Annual report on government information disclosure. " * 200)
    out["nul_bytes"] = w("nul.txt", ("某县报告" + "\x00" * 50 + "正文").encode("utf-8") * 20)
    d = folder / "looks_like_a_report.txt"
    d.mkdir(exist_ok=True)
    out["directory_named_like_a_report"] = d
    loop = folder / "loop.txt"
    if not loop.is_symlink():
        os.symlink(loop, loop)
    out["symlink_loop"] = loop
    return out
