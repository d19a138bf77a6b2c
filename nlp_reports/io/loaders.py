"""Load a report file (txt / docx / pdf / html) into a :class:`LoadedText`.

The format comes from magic bytes when they identify one (a ``.txt`` that is really a pdf is read
as a pdf), else from the suffix. Every bad input raises :class:`ReportLoadError` naming the file
and the cause; nothing is extracted before the size, zip-directory and page-count guards pass.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import io
import os
import re
import stat
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from nlp_reports.errors import ReportLoadError
from nlp_reports.io.decode import decode_bytes
from nlp_reports.types import LoadedText

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DOCX_MAX_UNCOMPRESSED",
    "PDF_MAX_PAGES",
    "load_text",
    "load_bytes",
    "sniff_format",
    "docx_text",
    "pdf_text",
    "html_text",
    "strip_pdf_furniture",
]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DOCX_MAX_UNCOMPRESSED = 200 * 1024 * 1024
DOCX_MAX_RATIO = 100  # deflate of real XML stays far below this
DOCX_RATIO_MIN_SIZE = 10 * 1024 * 1024  # a high ratio alone is fine for small parts
DOCX_MAX_ENTRIES = 10_000
PDF_MAX_PAGES = 2000

_SUFFIX_FORMATS = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "txt",
    ".docx": "docx",
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".shtml": "html",
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OTHER_BINARY_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"\x7fELF", "an executable"),
    (b"MZ", "a Windows executable"),
)
_HTML_START_RE = re.compile(
    r"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S
)


# --------------------------------------------------------------------------- reading


def _read_file(path: Path, max_bytes: int) -> bytes:
    """Read a regular file, refusing what cannot be a report before reading it."""
    try:
        st = os.stat(path)  # follows symlinks: loops raise ELOOP here
    except FileNotFoundError:
        raise ReportLoadError(path, "file not found") from None
    except PermissionError:
        raise ReportLoadError(path, "permission denied (cannot stat file)") from None
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise ReportLoadError(path, "symlink loop (too many levels of symbolic links)") from None
        raise ReportLoadError(path, f"cannot access file: {err.strerror or err}") from None
    if stat.S_ISDIR(st.st_mode):
        raise ReportLoadError(path, "is a directory, not a file (for every report in a folder use score_corpus or `nlp-reports score`)")
    if not stat.S_ISREG(st.st_mode):
        # FIFOs and devices would block or never end
        raise ReportLoadError(path, "not a regular file (device, FIFO or socket)")
    _check_size(path, st.st_size, max_bytes)
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)  # the file may have grown since stat
    except PermissionError:
        raise ReportLoadError(path, "permission denied (file is not readable)") from None
    except OSError as err:
        raise ReportLoadError(path, f"cannot read file: {err.strerror or err}") from None
    _check_size(path, len(data), max_bytes)
    return data


def _check_size(path: Path | str, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise ReportLoadError(
            path,
            f"file too large: {size} bytes ({size / 1048576:.1f} MB) is over the limit of "
            f"{max_bytes} bytes ({max_bytes / 1048576:.1f} MB); raise max_bytes to load it",
        )


# --------------------------------------------------------------------------- format


def sniff_format(data: bytes, name: str | os.PathLike[str] | None = None) -> str:
    """Format of ``data``: magic bytes first, then the suffix of ``name``, else ``txt``.

    Returns one of txt / docx / pdf / html; raises for formats that are recognised but not
    supported (legacy .doc, other archives and images).
    """
    suffix = Path(name).suffix.lower() if name else ""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "docx"  # docx_text checks that the zip really is a Word document
    if data.startswith(_OLE_MAGIC):
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in data:
            raise ReportLoadError(
                name, "password-protected (encrypted) Office file; save it without a password"
            )
        raise ReportLoadError(
            name, "legacy .doc not supported, convert to docx (old binary Word/WPS/Office file)"
        )
    if data.startswith(b"{\\rtf"):
        raise ReportLoadError(name, "RTF not supported, convert to docx")
    for magic, what in _OTHER_BINARY_MAGIC:
        if data.startswith(magic):
            raise ReportLoadError(name, f"not a text document: looks like {what}")
    if suffix == ".doc":
        raise ReportLoadError(name, "legacy .doc not supported, convert to docx")
    fmt = _SUFFIX_FORMATS.get(suffix)
    if fmt in ("docx", "pdf"):
        what = "is not a zip archive" if fmt == "docx" else "has no %PDF header"
        raise ReportLoadError(name, f"corrupt {fmt}: the file {what}")
    # latin-1 keeps ASCII tags readable whatever the real (ASCII-compatible) encoding
    if fmt == "html" or _looks_like_html(head.decode("latin-1")):
        return "html"
    return "txt"


def _looks_like_html(head: str) -> bool:
    """Whether text starts like an html page (doctype, <html>, <head> or <body>)."""
    return bool(_HTML_START_RE.match(head[:1024].lstrip("\ufeff")))


# --------------------------------------------------------------------------- docx


def _check_zip_directory(zf: zipfile.ZipFile, name: str | os.PathLike[str] | None) -> None:
    """Refuse zip bombs from the central directory alone, before anything is decompressed.

    The declared sizes are enough: zipfile never returns more than ``file_size`` bytes per entry.
    """
    infos = zf.infolist()
    if len(infos) > DOCX_MAX_ENTRIES:
        raise ReportLoadError(name, f"zip bomb suspected: {len(infos)} entries in the docx archive")
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > DOCX_RATIO_MIN_SIZE and ratio > DOCX_MAX_RATIO:
            raise ReportLoadError(
                name,
                f"zip bomb suspected: {info.filename} expands {info.compress_size} -> {info.file_size} "
                f"bytes (ratio {ratio:.0f} > {DOCX_MAX_RATIO})",
            )
    if total > DOCX_MAX_UNCOMPRESSED:
        raise ReportLoadError(
            name,
            f"zip bomb suspected: docx expands to {total} bytes, over the limit of {DOCX_MAX_UNCOMPRESSED}",
        )
    names = {i.filename for i in infos}
    if not any(n.startswith("word/") for n in names):
        if "content.xml" in names:
            raise ReportLoadError(name, "OpenDocument (.odt) not supported, convert to docx")
        raise ReportLoadError(name, "zip archive is not a Word document (no word/ part)")


def _w(tag: str) -> str:
    return "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}" + tag


_W_P, _W_TBL, _W_SDT, _W_SDT_CONTENT, _W_CUSTOM_XML = (
    _w("p"),
    _w("tbl"),
    _w("sdt"),
    _w("sdtContent"),
    _w("customXml"),
)
_W_R, _W_T, _W_TAB, _W_BR, _W_CR, _W_NB_HYPHEN, _W_TXBX = (
    _w("r"),
    _w("t"),
    _w("tab"),
    _w("br"),
    _w("cr"),
    _w("noBreakHyphen"),
    _w("txbxContent"),
)
_W_TR, _W_TC, _W_TCPR, _W_GRID_SPAN, _W_VMERGE, _W_VAL, _W_TYPE = (
    _w("tr"),
    _w("tc"),
    _w("tcPr"),
    _w("gridSpan"),
    _w("vMerge"),
    _w("val"),
    _w("type"),
)


def _paragraph_text(p) -> str:  # noqa: ANN001 - lxml element
    """Text of a ``w:p``: runs inside hyperlinks, fields and tracked insertions included.

    Deleted text (``w:delText``), field codes (``w:instrText``), bookmarks and text boxes are not
    body text; tab-stop definitions are ``w:tab`` outside runs and are skipped too.
    """
    out: list[str] = []
    for el in p.iter(_W_T, _W_TAB, _W_BR, _W_CR, _W_NB_HYPHEN):
        parent = el.getparent()
        if parent is None or parent.tag != _W_R:
            continue
        if any(a.tag == _W_TXBX for a in el.iterancestors() if a is not p):
            continue
        tag = el.tag
        if tag == _W_T:
            out.append(el.text or "")
        elif tag == _W_TAB:
            out.append("\t")
        elif tag == _W_NB_HYPHEN:
            out.append("-")
        elif tag == _W_CR or el.get(_W_TYPE) in (None, "textWrapping"):
            out.append("\n")  # page and column breaks are layout, not text
    return "".join(out)


def _block_lines(parent) -> Iterator[str]:  # noqa: ANN001 - lxml element
    """Lines of a body or cell element in document order (paragraphs, table rows)."""
    for child in parent.iterchildren():
        tag = child.tag
        if tag == _W_P:
            yield _paragraph_text(child)
        elif tag == _W_TBL:
            yield from _table_lines(child)
        elif tag == _W_SDT:  # content controls wrap ordinary paragraphs and tables
            content = child.find(_W_SDT_CONTENT)
            if content is not None:
                yield from _block_lines(content)
        elif tag == _W_CUSTOM_XML:
            yield from _block_lines(child)


def _row_cells(tr) -> list:  # noqa: ANN001
    """The row's ``w:tc`` elements (also those wrapped in content controls)."""
    cells = []
    for child in tr.iterchildren():
        if child.tag == _W_TC:
            cells.append(child)
        elif child.tag in (_W_SDT, _W_CUSTOM_XML):
            cells.extend(child.iter(_W_TC))
    return cells


def _cell_text(tc) -> str:  # noqa: ANN001
    # paragraphs (and nested tables) inside a cell stay on the row's line
    parts = [p for p in _block_lines(tc) if p.strip()]
    return " ".join(" ".join(p.split()) if "\t" in p or "\n" in p else p for p in parts)


def _table_lines(tbl) -> Iterator[str]:  # noqa: ANN001
    """One line per table row, cells joined by a tab.

    Like python-docx's ``row.cells``, a horizontally merged cell counts once per row; a vertically
    merged continuation (``w:vMerge`` without ``restart``) repeats the text of the cell above,
    since each row must stand alone. Consecutive repeats of the same cell are de-duplicated.
    """
    above: dict[int, str] = {}  # grid column -> text of the cell that starts there
    for tr in tbl.iterchildren(_W_TR):
        cells: list[str] = []
        col = 0
        current: dict[int, str] = {}
        for tc in _row_cells(tr):
            tc_pr = tc.find(_W_TCPR)
            span, vmerge = 1, None
            if tc_pr is not None:
                gs = tc_pr.find(_W_GRID_SPAN)
                if gs is not None and (gs.get(_W_VAL) or "").isdigit():
                    span = max(1, int(gs.get(_W_VAL)))
                vm = tc_pr.find(_W_VMERGE)
                if vm is not None:
                    vmerge = vm.get(_W_VAL) or "continue"
            text = above.get(col, "") if vmerge == "continue" else _cell_text(tc)
            current[col] = text
            cells.append(text)
            col += span
        above = current
        if any(c.strip() for c in cells):
            yield "\t".join(c.replace("\t", " ") for c in cells)


def docx_text(data: bytes, name: str | os.PathLike[str] | None = None) -> str:
    """Body text of a .docx: paragraphs and table rows (cells joined by a tab) in document order.

    Headers, footers, comments and bookmarks are not part of the body and are left out.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as err:
        raise ReportLoadError(name, f"corrupt or truncated docx: {type(err).__name__}: {err}") from None
    with zf:
        _check_zip_directory(zf, name)
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
        lines = list(_block_lines(document.element.body))
    except ReportLoadError:
        raise
    except Exception as err:  # zlib.error, BadZipFile (CRC), KeyError, lxml errors…: all mean corrupt
        raise ReportLoadError(name, f"corrupt or truncated docx: {type(err).__name__}: {err}") from None
    return "\n".join(lines)


# --------------------------------------------------------------------------- pdf

_PAGE_NUMBER_RES = (
    re.compile(r"^[-—–－~～_·\s]*\d{1,4}[-—–－~～_·\s]*$"),  # 4 / -4- / — 4 —
    re.compile(r"^第\s*\d{1,4}\s*页(\s*[,，/]?\s*共\s*\d{1,4}\s*页)?$"),  # 第4页 / 第4页 共12页
    re.compile(r"^\d{1,4}\s*/\s*\d{1,4}$"),  # 4/12
    re.compile(r"^(page|p\.)\s*\d{1,4}(\s*(of|/)\s*\d{1,4})?$", re.I),
)
_EDGE_LINES = 2  # page numbers sit among the first/last two lines of a page
_RUNNING_MAX_CHARS = 60  # running headers/footers are short; body lines at page edges often are not
# a page number inside a running header (「某县人民政府公报 第3页」) must not make it unique per page
_EMBEDDED_PAGE_NO_RE = re.compile(r"第\d+页(共\d+页)?|[-—–－]\d+[-—–－]|\d+/\d+|^\d{1,4}|\d{1,4}$")
_CID_RE = re.compile(r"\(cid:\d+\)")


def _is_page_number(line: str) -> bool:
    s = line.strip()
    return bool(s) and any(r.match(s) for r in _PAGE_NUMBER_RES)


def _running_key(line: str) -> str:
    return _EMBEDDED_PAGE_NO_RE.sub("#", "".join(line.split()))


def _edge(lines: list[str], top: bool) -> int | None:
    """Index of the first (``top``) or last non-empty line."""
    order = range(len(lines)) if top else range(len(lines) - 1, -1, -1)
    return next((i for i in order if lines[i].strip()), None)


def strip_pdf_furniture(pages: list[str]) -> list[str]:
    """Remove page numbers and running headers/footers from per-page text.

    Page numbers (「-4-」, 「— 4 —」, 「第4页」, 「4/12」, a lone 「4」) go when among the first/last two
    lines of a page. A running header (footer) is a short first (last) line that recurs, page number
    aside, on at least 2 pages and more than half of them; two rounds catch two-line headers.
    """
    split = [p.split("\n") for p in pages]
    for lines in split:
        nonempty = [i for i, ln in enumerate(lines) if ln.strip()]
        for i in set(nonempty[:_EDGE_LINES] + nonempty[-_EDGE_LINES:]):
            if _is_page_number(lines[i]):
                lines[i] = ""
    if len(pages) >= 2:
        for _round in range(2):
            for top in (True, False):
                edges = [_edge(lines, top) for lines in split]
                keys = [
                    _running_key(lines[i])
                    if i is not None and len(lines[i].strip()) <= _RUNNING_MAX_CHARS
                    else None
                    for lines, i in zip(split, edges, strict=True)
                ]
                counts = Counter(k for k in keys if k)
                running = {k for k, n in counts.items() if n >= 2 and n > len(pages) / 2}
                for lines, i, k in zip(split, edges, keys, strict=True):
                    if i is not None and k in running:
                        lines[i] = ""
    # drop the lines blanked above, keep the page's own empty lines
    out = []
    for orig, lines in zip(pages, split, strict=True):
        kept = [ln for ln, o in zip(lines, orig.split("\n"), strict=True) if ln or not o]
        out.append("\n".join(kept))
    return out


def _check_pdf_complete(data: bytes, name: str | os.PathLike[str] | None) -> None:
    # pdfminer silently recovers from truncation and returns fewer pages; a complete file ends
    # with %%EOF (within the last KB, as Acrobat requires)
    if b"%%EOF" not in data[-1024:]:
        raise ReportLoadError(name, "corrupt or truncated pdf: no %%EOF marker at the end of the file")


def pdf_text(
    data: bytes, name: str | os.PathLike[str] | None = None, *, max_pages: int = PDF_MAX_PAGES
) -> str:
    """Text layer of a pdf, page furniture removed, pages joined with ``\\n``."""
    _check_pdf_complete(data, name)
    try:
        import pdfplumber

        with pdfplumber.open(io.BytesIO(data)) as pdf:
            n_pages = len(pdf.pages)
            if n_pages == 0:
                raise ReportLoadError(name, "corrupt or truncated pdf: no pages")
            if n_pages > max_pages:
                raise ReportLoadError(name, f"pdf has {n_pages} pages, over the limit of {max_pages}")
            pages = []
            for page in pdf.pages:
                pages.append(page.extract_text() or "")
                page.close()  # frees the parsed layout of each page as we go
    except ReportLoadError:
        raise
    except Exception as err:  # pdfminer raises many types (PSEOF, PDFSyntaxError, KeyError, …)
        cause = f"{type(err).__name__}: {err}".strip()
        if "password" in cause.lower() or "encrypt" in cause.lower():
            raise ReportLoadError(name, f"password-protected pdf: {cause}") from None
        raise ReportLoadError(name, f"corrupt or truncated pdf: {cause}") from None
    joined = "".join(pages)
    if not joined.strip():
        raise ReportLoadError(name, "pdf has no text layer (scanned image?); OCR it first")
    n_cid = len(_CID_RE.findall(joined))
    if n_cid and n_cid * 7 > 0.5 * len(joined):
        raise ReportLoadError(name, "pdf text layer has no Unicode mapping (cid codes only); OCR it first")
    return "\n".join(strip_pdf_furniture(pages))


# --------------------------------------------------------------------------- html

_DROP_TAGS = (
    "script",
    "style",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "noscript",
    "template",
    "iframe",
    "svg",
    "button",
    "select",
)
_FURNITURE_RE = re.compile(r"nav|menu|breadcrumb|crumb|footer|share|toolbar|sidebar", re.I)
_KEEP_TAGS = frozenset({"html", "body", "main", "article"})
_BLOCK_TAGS = frozenset(
    "address article blockquote center dd div dl dt fieldset figcaption figure h1 h2 h3 h4 h5 h6 hr li "
    "main ol p pre section table tbody thead tfoot tr ul caption".split()
)
_CJK_CHAR = r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]"
# CSS Text 3: a line break between two CJK characters renders as nothing, not a space
_CJK_BREAK_RE = re.compile(rf"(?<={_CJK_CHAR})[ \t\r\f]*\n\s*(?={_CJK_CHAR})")
_WS_RE = re.compile(r"\s+")


def _is_furniture(tag) -> bool:  # noqa: ANN001 - bs4.Tag
    if tag.name in _KEEP_TAGS:
        return False
    attrs = tag.attrs or {}
    classes = attrs.get("class") or []
    if isinstance(classes, str):
        classes = classes.split()
    values = [*classes, attrs.get("id") or ""]
    return any(isinstance(v, str) and _FURNITURE_RE.search(v) for v in values)


def _inline_text(s: str) -> str:
    return _WS_RE.sub(" ", _CJK_BREAK_RE.sub("", s))


class _HtmlLines:
    """Walks a bs4 tree into lines: blocks break lines, table rows become tab-joined cells."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.buf: list[str] = []

    def flush(self) -> None:
        line = "".join(self.buf).strip()
        if line:
            self.lines.append(line)
        self.buf = []

    def walk(self, node) -> None:  # noqa: ANN001
        from bs4 import NavigableString, Tag
        from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

        for child in node.children:
            if isinstance(child, Comment | Declaration | Doctype | ProcessingInstruction):
                continue
            if isinstance(child, NavigableString):
                self.buf.append(_inline_text(str(child)))
            elif isinstance(child, Tag):
                name = child.name
                if name == "br":
                    self.flush()
                elif name == "pre":
                    self.flush()
                    self.lines.extend(ln.rstrip() for ln in child.get_text().split("\n") if ln.strip())
                elif name == "tr":
                    self.flush()
                    self.row(child)
                elif name in _BLOCK_TAGS:
                    self.flush()
                    self.walk(child)
                    self.flush()
                else:
                    self.walk(child)

    def row(self, tr) -> None:  # noqa: ANN001
        cells = tr.find_all(["td", "th"], recursive=False)
        # layout tables (whole pages in a cell) hold nested tables or long text: treat as blocks
        if any(c.find("table") is not None or len(c.get_text()) > 300 for c in cells):
            for c in cells:
                self.walk(c)
                self.flush()
            return
        texts = []
        for c in cells:
            sub = _HtmlLines()
            sub.walk(c)
            sub.flush()
            texts.append(" ".join(sub.lines).replace("\t", " "))
        if any(texts):
            self.lines.append("\t".join(texts))


def html_text(data: bytes | str, name: str | os.PathLike[str] | None = None) -> str:
    """Visible body text of an html page without site furniture (menus, breadcrumbs, share bars…)."""
    from bs4 import BeautifulSoup, Tag

    text = decode_bytes(data, name)[0] if isinstance(data, bytes) else data
    try:
        soup = BeautifulSoup(text, "lxml")
    except Exception as err:
        raise ReportLoadError(name, f"unparsable html: {type(err).__name__}: {err}") from None
    root = soup.body or soup
    for tag in root.find_all(_DROP_TAGS):
        # an article's own <header> holds its title (「<article><header><h1>…」), not site furniture
        if tag.name == "header" and tag.find_parent(["article", "main"]) is not None:
            continue
        tag.decompose()
    total = len(root.get_text())
    for tag in list(root.find_all(True)):
        if tag.decomposed or not isinstance(tag, Tag):
            continue
        # a "nav-wrapper" class around the whole article must not take the article with it
        if _is_furniture(tag) and len(tag.get_text()) <= 0.5 * total:
            tag.decompose()
    walker = _HtmlLines()
    walker.walk(root)
    walker.flush()
    out = "\n".join(walker.lines)
    if not out.strip():
        raise ReportLoadError(name, "html has no body text")
    return out


# --------------------------------------------------------------------------- public


def _extract(data: bytes, name: str | os.PathLike[str] | None) -> tuple[str, str, str | None]:
    """(text, format, encoding) of file bytes."""
    if not data:
        raise ReportLoadError(name, "empty file (0 bytes)")
    fmt = sniff_format(data, name)
    if fmt == "docx":
        return docx_text(data, name), fmt, None
    if fmt == "pdf":
        return pdf_text(data, name), fmt, None
    text, encoding = decode_bytes(data, name)
    if fmt == "txt" and _looks_like_html(text):  # e.g. UTF-16 html saved as .txt
        fmt = "html"
    if fmt == "html":
        return html_text(text, name), fmt, encoding
    return text, fmt, encoding


def load_bytes(data: bytes, name: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> LoadedText:
    """Load a report held in memory; ``name`` gives the suffix (format) and names it in errors.

    >>> load_bytes("一、总体情况\\n".encode("gb18030"), "r.txt").encoding
    'gb18030'
    """
    _check_size(name, len(data), max_bytes)
    text, fmt, encoding = _extract(data, name)
    if not text.strip():
        raise ReportLoadError(name, f"no text: the {fmt} content is whitespace only")
    return LoadedText(
        path=Path(name) if name else None,
        text=text,
        format=fmt,
        encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(),
        n_bytes=len(data),
    )


def load_text(source: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> LoadedText:
    """Load one report file: txt in any of its encodings, docx, pdf or html.

    ``text`` keeps a txt file exactly (only a BOM is stripped; ``\\r\\n`` stays), and is the
    extracted body for the other formats. Raises :class:`ReportLoadError` for missing,
    unreadable, empty, binary, corrupt, oversized or scanned inputs.
    """
    path = Path(source)
    data = _read_file(path, max_bytes)
    return dataclasses.replace(load_bytes(data, str(path), max_bytes=max_bytes), path=path)
