"""Tests for nlp_reports.io.loaders / decode: every input format and every bad input."""

from __future__ import annotations

import builtins
import codecs
import hashlib
import os
import re
import time
from pathlib import Path

import fixture_factory as ff
import pytest

from nlp_reports.errors import ReportLoadError
from nlp_reports.io.decode import decode_bytes
from nlp_reports.io.loaders import DEFAULT_MAX_BYTES, load_bytes, load_text, strip_pdf_furniture

CORPUS = Path(
    os.environ.get("NLP_REPORTS_CORPUS", Path(__file__).resolve().parents[1].parent / "shared" / "corpora")
)
TEXTS = CORPUS / "texts"


def _load_error(path: Path, **kw: object) -> ReportLoadError:
    with pytest.raises(ReportLoadError) as info:
        load_text(path, **kw)
    assert str(path) in str(info.value), "the error must name the file"
    return info.value


# --------------------------------------------------------------------------- txt encodings


@pytest.mark.parametrize(
    ("codec", "bom", "expected_encoding"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
        ("utf-16-le", b"", "utf-16-le"),
        ("utf-16-be", b"", "utf-16-be"),
        ("gb18030", b"", "gb18030"),
        ("gbk", b"", "gb18030"),
        ("gb2312", b"", "gb18030"),
    ],
)
def test_txt_encodings_decode_exactly(tmp_path: Path, codec: str, bom: bytes, expected_encoding: str) -> None:
    path = ff.make_encoded(tmp_path / "r.txt", ff.SAMPLE_TXT, codec, bom=bom)
    loaded = load_text(path)
    assert loaded.text == ff.SAMPLE_TXT  # \r\n kept, BOM stripped, nothing else touched
    assert loaded.encoding == expected_encoding
    assert loaded.format == "txt"
    data = path.read_bytes()
    assert data.decode(loaded.encoding) == loaded.text
    assert loaded.sha256 == hashlib.sha256(data).hexdigest()
    assert loaded.n_bytes == len(data)
    assert loaded.path == path


@pytest.mark.parametrize("codec", ["big5", "cp950"])
def test_big5_is_plain_big5_not_hkscs(tmp_path: Path, codec: str) -> None:
    # big5hkscs would turn ①②⑦ into kana; plain big5 reads them right
    path = ff.make_encoded(tmp_path / "t.txt", ff.SAMPLE_TRADITIONAL, codec)
    loaded = load_text(path)
    assert loaded.text == ff.SAMPLE_TRADITIONAL
    assert loaded.encoding in ("big5", "cp950")


def test_gb18030_beats_big5_when_both_decode() -> None:
    # this simplified text happens to be valid Big5 bytes too; the common-character test decides
    text = "行政复议和行政诉讼的情况"
    data = text.encode("gb18030")
    assert data.decode("big5", errors="strict")  # both decode strictly
    assert decode_bytes(data) == (text, "gb18030")


def test_utf16_html_saved_as_txt_is_html(tmp_path: Path) -> None:
    html = ff.REPORT_HTML.format(charset="utf-16")
    path = ff.make_encoded(tmp_path / "page.txt", html, "utf-16")
    loaded = load_text(path)
    assert loaded.format == "html"
    assert loaded.text.split("\n") == ff.REPORT_HTML_LINES


# --------------------------------------------------------------------------- docx


def test_docx_paragraphs_and_table_in_document_order(tmp_path: Path) -> None:
    blocks: list[str | list[list[str]]] = [
        "某县2023年政府信息公开工作年度报告",
        "一、总体情况",
        [["信息内容", "本年制发件数", "本年废止件数"], ["规章", "0", "0"], ["规范性文件", "12", "3"]],
        "二、主动公开政府信息情况",
        "",
        "全年主动公开信息1200条。",
    ]
    path = ff.make_docx(tmp_path / "r.docx", blocks)
    loaded = load_text(path)
    assert loaded.format == "docx"
    assert loaded.encoding is None
    assert loaded.text.split("\n") == [
        "某县2023年政府信息公开工作年度报告",
        "一、总体情况",
        "信息内容\t本年制发件数\t本年废止件数",
        "规章\t0\t0",
        "规范性文件\t12\t3",
        "二、主动公开政府信息情况",
        "",
        "全年主动公开信息1200条。",
    ]
    assert "页眉" not in loaded.text and "页脚" not in loaded.text
    assert "_GoBack" not in loaded.text
    assert loaded.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_docx_merged_cells_once_per_row(tmp_path: Path) -> None:
    loaded = load_text(ff.make_docx_merged(tmp_path / "m.docx"))
    assert loaded.text.split("\n") == [
        "表前段落",
        "收到和处理政府信息公开申请情况",  # a 3-column horizontal merge appears once
        "本年新收\t当面申请\t3",
        "本年新收\t网络申请\t5",  # a vertical merge repeats its text, as python-docx does
        "表后段落",
    ]


def test_docx_inline_markup(tmp_path: Path) -> None:
    loaded = load_text(ff.make_docx_inline_markup(tmp_path / "inline.docx"))
    # insertions, hyperlinks and field results are text; deletions, field codes and tab stops are not
    assert loaded.text == "详见政府网站（新增）\t甲\n乙7\n控件内段落"


# --------------------------------------------------------------------------- pdf


def test_pdf_chinese_text_without_headers_and_page_numbers(tmp_path: Path) -> None:
    pages, bodies = ff.report_pdf_pages(5)  # footers: -1- / — 2 — / 第3页 / 4/5 / 5
    path = ff.make_pdf(tmp_path / "r.pdf", pages)
    loaded = load_text(path)
    assert loaded.format == "pdf"
    assert loaded.text == "\n".join("\n".join(body) for body in bodies)
    assert "某县人民政府信息公开工作年度报告" not in loaded.text


def test_pdf_two_pages_header_removed(tmp_path: Path) -> None:
    pages, bodies = ff.report_pdf_pages(2)
    loaded = load_text(ff.make_pdf(tmp_path / "r.pdf", pages))
    assert loaded.text.split("\n") == bodies[0] + bodies[1]


def test_strip_pdf_furniture_keeps_body_lines() -> None:
    pages = ["某市公报 第1页\n正文甲\n\n正文乙\n- 1 -", "某市公报 第2页\n正文丙\n— 2 —", "正文丁\n3/3"]
    assert strip_pdf_furniture(pages) == ["正文甲\n\n正文乙", "正文丙", "正文丁"]
    # a single page has no running header to compare with: only its page number goes
    assert strip_pdf_furniture(["标题\n正文\n4"]) == ["标题\n正文"]


@pytest.mark.parametrize("kind", ["image", "lines"])
def test_scanned_pdf_without_text_layer(tmp_path: Path, kind: str) -> None:
    err = _load_error(ff.make_scanned_pdf(tmp_path / f"scan_{kind}.pdf", kind))
    assert "no text layer" in err.cause and "OCR" in err.cause


def test_pdf_page_limit(tmp_path: Path) -> None:
    from nlp_reports.io.loaders import pdf_text

    pages, _ = ff.report_pdf_pages(3)
    data = ff.make_pdf(tmp_path / "r.pdf", pages).read_bytes()
    with pytest.raises(ReportLoadError, match="3 pages, over the limit of 2"):
        pdf_text(data, "r.pdf", max_pages=2)


# --------------------------------------------------------------------------- html


def test_html_body_without_furniture(tmp_path: Path) -> None:
    loaded = load_text(ff.make_html(tmp_path / "r.html"))
    assert loaded.format == "html"
    assert loaded.encoding == "utf-8"
    assert loaded.text.split("\n") == ff.REPORT_HTML_LINES
    for word in ff.HTML_FURNITURE:
        assert word not in loaded.text


def test_gb18030_html_with_txt_suffix(tmp_path: Path) -> None:
    loaded = load_text(ff.make_html(tmp_path / "page.txt", encoding="gb18030"))
    assert (loaded.format, loaded.encoding) == ("html", "gb18030")
    assert loaded.text.split("\n") == ff.REPORT_HTML_LINES


def test_html_furniture_class_wrapping_the_article_is_kept(tmp_path: Path) -> None:
    html = '<html><body><div class="nav-content">一、总体情况<p>正文第一段。</p></div></body></html>'
    path = tmp_path / "r.htm"
    path.write_text(html, encoding="utf-8")
    assert load_text(path).text == "一、总体情况\n正文第一段。"


def test_html_layout_table_is_not_one_row(tmp_path: Path) -> None:
    body = "本年度，我县认真贯彻落实政府信息公开条例，" * 20
    html = (
        "<html><body><table><tr><td class='left'>栏目</td><td>"
        f"<p>一、总体情况</p><p>{body}</p>"
        "<table><tr><td>信息内容</td><td>件数</td></tr><tr><td>规章</td><td>0</td></tr></table>"
        "</td></tr></table></body></html>"
    )
    path = tmp_path / "layout.html"
    path.write_text(html, encoding="utf-8")
    assert load_text(path).text.split("\n") == ["栏目", "一、总体情况", body, "信息内容\t件数", "规章\t0"]


def test_html_article_header_is_kept(tmp_path: Path) -> None:
    html = (
        "<html><body><header>网站页头</header><article><header><h1>某县年度报告</h1></header>"
        "<p>一、总体情况</p><footer>责任编辑：某某</footer></article></body></html>"
    )
    path = tmp_path / "a.html"
    path.write_text(html, encoding="utf-8")
    assert load_text(path).text == "某县年度报告\n一、总体情况"


def test_html_without_body_text(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><body><nav>首页</nav><script>x=1</script><footer>版权</footer></body></html>")
    assert "no body text" in _load_error(path).cause


# --------------------------------------------------------------------------- sniffing


def test_suffix_lies_content_wins(tmp_path: Path) -> None:
    pages, bodies = ff.report_pdf_pages(2)
    pdf = tmp_path / "really_pdf.txt"
    pdf.write_bytes(ff.make_pdf(tmp_path / "x.pdf", pages).read_bytes())
    assert load_text(pdf).format == "pdf"
    docx = tmp_path / "really_docx.txt"
    docx.write_bytes(ff.make_docx(tmp_path / "x.docx", ["第一段"]).read_bytes())
    assert (load_text(docx).format, load_text(docx).text) == ("docx", "第一段")
    fake_pdf = tmp_path / "plain.pdf"
    fake_pdf.write_text("这其实是文本")
    assert _load_error(fake_pdf).cause == "corrupt pdf: the file has no %PDF header"
    fake_docx = tmp_path / "plain.docx"
    fake_docx.write_text("这其实是文本")
    assert _load_error(fake_docx).cause == "corrupt docx: the file is not a zip archive"


def test_load_bytes_matches_load_text(tmp_path: Path) -> None:
    path = ff.make_docx(tmp_path / "r.docx", ["第一段", [["甲", "乙"]]])
    from_file = load_text(path)
    from_memory = load_bytes(path.read_bytes(), "r.docx")
    assert (from_memory.text, from_memory.sha256, from_memory.format) == (
        from_file.text,
        from_file.sha256,
        from_file.format,
    )
    # no suffix: sniffed
    assert load_bytes(path.read_bytes(), "upload").format == "docx"
    assert load_bytes("第一行\n".encode("gb18030"), "upload").encoding == "gb18030"


# --------------------------------------------------------------------------- bad inputs


def test_missing_file(tmp_path: Path) -> None:
    assert "not found" in _load_error(tmp_path / "nope.txt").cause


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "d.txt").mkdir()
    assert "directory" in _load_error(tmp_path / "d.txt").cause


@pytest.mark.skipif(os.geteuid() == 0, reason="running as root: chmod 000 does not stop root from reading")
def test_unreadable_file_chmod(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("正文")
    path.chmod(0)
    try:
        assert "permission denied" in _load_error(path).cause
    finally:
        path.chmod(0o644)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop privileges to 'nobody'")
def test_unreadable_file_as_unprivileged_user() -> None:
    # root ignores chmod 000, so a forked child drops to uid/gid 65534 and tries to read the file
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="nlp_reports_perm_"))
    try:
        folder.chmod(0o755)
        path = folder / "secret.txt"
        path.write_text("正文")
        path.chmod(0)
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # child
            try:
                os.close(read_fd)
                os.setgid(65534)
                os.setuid(65534)
                try:
                    load_text(path)
                    msg = "loaded"
                except ReportLoadError as err:
                    msg = str(err)
                os.write(write_fd, msg.encode("utf-8"))
            finally:
                os._exit(0)
        os.close(write_fd)
        with os.fdopen(read_fd, "rb") as fh:
            msg = fh.read().decode("utf-8")
        os.waitpid(pid, 0)
        assert msg == f"{path}: permission denied (file is not readable)"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_unreadable_file_open_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # works as root too: the OS refusal is simulated at open(), the loader's handling is real
    path = tmp_path / "secret.txt"
    path.write_text("正文")
    real_open = builtins.open

    def deny(file, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        if Path(file) == path:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", deny)
    assert "permission denied" in _load_error(path).cause


def test_symlink_loop(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.symlink_to(b)
    b.symlink_to(a)
    assert "symlink loop" in _load_error(a).cause


def test_fifo_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert "not a regular file" in _load_error(fifo).cause


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert "empty file (0 bytes)" in _load_error(path).cause


@pytest.mark.parametrize("content", [" \r\n\t\n", "\u3000\u3000\n", "\ufeff\n"])
def test_whitespace_only_txt(tmp_path: Path, content: str) -> None:
    path = tmp_path / "blank.txt"
    path.write_text(content, encoding="utf-8")
    assert "whitespace only" in _load_error(path).cause


def test_whitespace_only_docx(tmp_path: Path) -> None:
    path = ff.make_docx(tmp_path / "blank.docx", ["", "   ", [["", ""]]], bookmark=False)
    assert "whitespace only" in _load_error(path).cause


@pytest.mark.parametrize(
    ("data", "cause"),
    [
        (b"\x00\x01\x02\x03binary\x00\xff\x10", "binary"),  # NULs, odd length: not UTF-16
        (bytes(range(256)) * 4, "binary"),  # NULs and high bytes
        (b"report\x00\x00\x00\x00\x00\x00text" * 20, "binary"),  # NUL runs that are not UTF-16 text
        (b"abc\x01\x02\x03\x04\x05\x06\x07\x08def" * 50, "control characters"),
        (b"\x80\x81\xff\xfe\xfd" * 30, "undecodable"),
    ],
)
def test_binary_or_undecodable(tmp_path: Path, data: bytes, cause: str) -> None:
    path = tmp_path / "bin.txt"
    path.write_bytes(data)
    assert cause in _load_error(path).cause


@pytest.mark.parametrize(
    ("magic", "cause"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "legacy .doc not supported, convert to docx"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "PNG image"),
        (b"{\\rtf1\\ansi hello}", "RTF not supported"),
    ],
)
def test_unsupported_formats(tmp_path: Path, magic: bytes, cause: str) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(magic)
    assert cause in _load_error(path).cause


def test_doc_suffix(tmp_path: Path) -> None:
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert "legacy .doc not supported, convert to docx" in _load_error(path).cause


def test_docx_truncated_at_several_points(tmp_path: Path) -> None:
    data = ff.make_docx(tmp_path / "full.docx", ["第一段", [["甲", "乙"]], "末段"]).read_bytes()
    for label, cut in ff.truncations(data):
        path = tmp_path / f"{label}.docx"
        path.write_bytes(cut)
        err = _load_error(path)
        assert "corrupt" in err.cause or "docx" in err.cause, (label, err.cause)


def test_docx_corrupt_document_part(tmp_path: Path) -> None:
    data = ff.make_docx(tmp_path / "full.docx", ["第一段" * 200]).read_bytes()
    start = data.index(b"word/document.xml") + 60  # inside that member's compressed data
    path = tmp_path / "bad.docx"
    path.write_bytes(ff.corrupt_middle(data, start))
    assert "corrupt or truncated docx" in _load_error(path).cause


def test_zip_that_is_not_docx(tmp_path: Path) -> None:
    path = ff.make_zip(tmp_path / "r.docx", {"readme.txt": b"hello"})
    assert "not a Word document" in _load_error(path).cause


@pytest.mark.parametrize("mb", [30, 210])
def test_zip_bomb_refused_before_extracting(tmp_path: Path, mb: int) -> None:
    path = ff.make_zip_bomb(tmp_path / "bomb.docx", mb)
    assert path.stat().st_size < 2 * 1024 * 1024
    start = time.perf_counter()
    err = _load_error(path)
    assert "zip bomb" in err.cause
    assert time.perf_counter() - start < 1.0


def test_pdf_truncated_at_several_points(tmp_path: Path) -> None:
    pages, _ = ff.report_pdf_pages(3)
    data = ff.make_pdf(tmp_path / "full.pdf", pages).read_bytes()
    for label, cut in ff.truncations(data):
        path = tmp_path / f"{label}.pdf"
        path.write_bytes(cut)
        assert "corrupt or truncated pdf" in _load_error(path).cause, label


def test_pdf_corrupt_but_complete(tmp_path: Path) -> None:
    pages, _ = ff.report_pdf_pages(3)
    data = ff.make_pdf(tmp_path / "full.pdf", pages).read_bytes()
    # junk over the object table and the trailer, %%EOF kept
    path = tmp_path / "junk.pdf"
    path.write_bytes(data[:9] + bytes((i * 7) % 251 for i in range(len(data) - 15)) + b"%%EOF\n")
    err = _load_error(path)
    assert "corrupt" in err.cause or "no text layer" in err.cause


def test_file_over_max_bytes(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes("正文。".encode() * 1000)  # 9000 bytes
    err = _load_error(path, max_bytes=4096)
    assert "9000 bytes" in err.cause and "4096 bytes" in err.cause
    assert load_text(path, max_bytes=9000).n_bytes == 9000
    assert DEFAULT_MAX_BYTES == 20 * 1024 * 1024


def test_load_bytes_over_max_bytes() -> None:
    with pytest.raises(ReportLoadError, match="over the limit"):
        load_bytes(b"x" * 100, "m.txt", max_bytes=10)


# --------------------------------------------------------------------------- real corpus


def _corpus_files() -> list[Path]:
    if not TEXTS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS} (set NLP_REPORTS_CORPUS)")
    return sorted(TEXTS.glob("*.txt"))


@pytest.mark.corpus
def test_every_corpus_text_loads_as_utf8() -> None:
    files = _corpus_files()
    total = 0
    start = time.perf_counter()
    for path in files:
        loaded = load_text(path)
        data = path.read_bytes()
        total += len(data)
        assert loaded.encoding == "utf-8", path
        assert loaded.format == "txt"
        assert loaded.text == data.decode("utf-8"), path
        assert loaded.sha256 == hashlib.sha256(data).hexdigest()
    elapsed = time.perf_counter() - start
    assert len(files) >= 100
    # loose floor (the machines are noisy); the measured figure is far above it
    assert total / 1e6 / elapsed > 2.0


def _corpus_text(doc_id: str) -> str:
    _corpus_files()
    path = TEXTS / f"{doc_id}.txt"
    if not path.exists():
        pytest.skip(f"{path} missing")
    return path.read_text(encoding="utf-8")


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("codec", "bom", "expected"),
    [
        ("gb18030", b"", "gb18030"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
        ("utf-16-le", b"", "utf-16-le"),
        ("utf-16-be", b"", "utf-16-be"),
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
    ],
)
def test_real_report_reencoded_round_trips(tmp_path: Path, codec: str, bom: bytes, expected: str) -> None:
    text = _corpus_text("0026")
    path = ff.make_encoded(tmp_path / "0026.txt", text, codec, bom=bom)
    loaded = load_text(path)
    assert loaded.encoding == expected
    assert loaded.text == text


@pytest.mark.corpus
def test_real_traditional_report_as_big5_round_trips(tmp_path: Path) -> None:
    text = _corpus_text("1001")
    # keep whole sentences that Big5 can encode; no character is dropped or replaced
    pieces = re.split(r"(?<=[。\n])", text)
    kept = []
    for piece in pieces:
        try:
            piece.encode("big5")
        except UnicodeEncodeError:
            continue
        kept.append(piece)
    sample = "".join(kept)
    assert len(sample) > 2000, "too little Big5-encodable text to test with"
    path = ff.make_encoded(tmp_path / "1001.txt", sample, "big5")
    loaded = load_text(path)
    assert loaded.encoding == "big5"
    assert loaded.text == sample
