"""Build loader fixtures at test time: docx, pdf, html, encoded txt and bad inputs.

Nothing here copies corpus text: the sample sentences are made up for the tests.
PDFs are written by hand with the CID font STSong-Light (Adobe-GB1, UniGB-UTF16-H encoding), which
every pdf reader, pdfminer included, knows without an embedded font file, so no CJK TTF and no
reportlab are needed.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

# --------------------------------------------------------------------------- docx


def make_docx(path: Path, blocks: list[str | list[list[str]]], *, bookmark: bool = True) -> Path:
    """A docx whose body holds ``blocks`` in order: a str is a paragraph, a list of rows a table.

    With ``bookmark`` a Word bookmark (「_GoBack」) is put inside the first paragraph.
    """
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "页眉文字不属于正文"
    section.footer.paragraphs[0].text = "页脚文字不属于正文"
    first = True
    for block in blocks:
        if isinstance(block, str):
            para = document.add_paragraph(block)
            if bookmark and first:
                start = OxmlElement("w:bookmarkStart")
                start.set(qn("w:id"), "0")
                start.set(qn("w:name"), "_GoBack")
                end = OxmlElement("w:bookmarkEnd")
                end.set(qn("w:id"), "0")
                para._p.insert(0, start)
                para._p.append(end)
            first = False
        else:
            n_cols = max(len(r) for r in block)
            table = document.add_table(rows=len(block), cols=n_cols)
            for r, row in enumerate(block):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
    document.save(str(path))
    return path


def make_docx_merged(path: Path) -> Path:
    """A docx table with a horizontally merged header cell and a vertically merged label cell."""
    import docx

    document = docx.Document()
    document.add_paragraph("表前段落")
    table = document.add_table(rows=3, cols=3)
    top = table.cell(0, 0).merge(table.cell(0, 2))
    top.text = "收到和处理政府信息公开申请情况"
    label = table.cell(1, 0).merge(table.cell(2, 0))
    label.text = "本年新收"
    table.cell(1, 1).text = "当面申请"
    table.cell(1, 2).text = "3"
    table.cell(2, 1).text = "网络申请"
    table.cell(2, 2).text = "5"
    document.add_paragraph("表后段落")
    document.save(str(path))
    return path


def make_zip_bomb(path: Path, uncompressed_mb: int, *, name: str = "word/document.xml") -> Path:
    """A docx-shaped zip whose document part inflates to ``uncompressed_mb`` MB of zeros."""
    chunk = b"\0" * (1 << 20)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with zf.open(name, "w", force_zip64=True) as fh:
            for _ in range(uncompressed_mb):
                fh.write(chunk)
    return path


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    return path


# --------------------------------------------------------------------------- pdf

PageItem = tuple[float, float, float, str]  # x, y, font size, text


def _pdf_bytes(pages: list[list[PageItem]], *, graphics: list[bytes] | None = None) -> bytes:
    """A minimal valid pdf: each page draws its text items in STSong-Light.

    ``graphics`` adds raw content-stream operators per page (lines, images) before the text.
    """
    objs: dict[int, bytes] = {}
    page_ids: list[int] = []
    next_id = 10
    image_id = 5
    uses_image = False
    for n, items in enumerate(pages):
        page_id, content_id = next_id, next_id + 1
        next_id += 2
        page_ids.append(page_id)
        ops: list[bytes] = []
        if graphics:
            ops.append(graphics[n])
            uses_image |= b"/Im1 Do" in graphics[n]
        for x, y, size, text in items:
            hexs = text.encode("utf-16-be").hex().upper()
            ops.append(f"BT /F1 {size} Tf {x} {y} Td <{hexs}> Tj ET".encode("ascii"))
        stream = b"\n".join(ops)
        objs[content_id] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
        resources = "/Font << /F1 3 0 R >>" + (f" /XObject << /Im1 {image_id} 0 R >>" if graphics else "")
        objs[page_id] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << {resources} >> "
            f"/Contents {content_id} 0 R >>"
        ).encode("ascii")
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    kids = " ".join(f"{i} 0 R" for i in page_ids)
    objs[2] = f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode("ascii")
    objs[3] = (
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UTF16-H "
        b"/DescendantFonts [4 0 R] >>"
    )
    objs[4] = (
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 6 0 R /DW 1000 >>"
    )
    objs[6] = (
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"
    )
    if uses_image:
        pixels = bytes((x * 16 + y) % 256 for y in range(16) for x in range(16))
        objs[image_id] = (
            b"<< /Type /XObject /Subtype /Image /Width 16 /Height 16 /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Length %d >>\nstream\n" % len(pixels) + pixels + b"\nendstream"
        )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for i in sorted(objs):
        offsets[i] = len(out)
        out += b"%d 0 obj\n" % i + objs[i] + b"\nendobj\n"
    xref = len(out)
    size = max(objs) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for i in range(1, size):
        out += b"%010d 00000 n \n" % offsets[i] if i in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def report_pdf_pages(n_pages: int = 3) -> tuple[list[list[PageItem]], list[list[str]]]:
    """Pages of a made-up report with a running header, page numbers in several styles, and the
    body lines each page should keep."""
    footers = ["-{n}-", "— {n} —", "第{n}页", "{n}/" + str(n_pages), "{n}"]
    pages: list[list[PageItem]] = []
    bodies: list[list[str]] = []
    for n in range(1, n_pages + 1):
        body = [
            f"第{n}部分：本机关政府信息公开工作稳步推进。",
            "（一）主动公开政府信息情况，①②③共三项。",
            f"全年收到申请{n * 7}件，均已按时答复。",
        ]
        items: list[PageItem] = [(72, 800, 9, "某县人民政府信息公开工作年度报告")]
        items += [(72, 720 - 20 * i, 12, line) for i, line in enumerate(body)]
        items.append((280, 40, 9, footers[(n - 1) % len(footers)].format(n=n)))
        pages.append(items)
        bodies.append(body)
    return pages, bodies


def make_pdf(path: Path, pages: list[list[PageItem]]) -> Path:
    path.write_bytes(_pdf_bytes(pages))
    return path


def make_scanned_pdf(path: Path, kind: str = "image") -> Path:
    """A pdf without any text: one page with an image (``kind="image"``) or only vector lines."""
    if kind == "image":
        graphics = [b"q 200 0 0 200 100 400 cm /Im1 Do Q"]
    else:
        graphics = [b"1 w 72 72 m 500 700 l S 72 700 m 500 72 l S 100 100 300 300 re S"]
    path.write_bytes(_pdf_bytes([[]], graphics=graphics))
    return path


# --------------------------------------------------------------------------- html

REPORT_HTML = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>年度报告</title>
<style>.x {{ color: red }}</style><script>var menu = "脚本文字";</script></head>
<body>
<header><div class="logo">某县人民政府门户网站</div></header>
<nav><ul><li>首页</li><li>政务公开</li></ul></nav>
<div class="breadcrumb">当前位置：首页 &gt; 政务公开 &gt; 年度报告</div>
<div id="main">
  <h1>某县2023年政府信息公开工作年度报告</h1>
  <p>一、总体情况</p>
  <p>本年度，我县认真贯彻落实
  《中华人民共和国政府信息公开条例》。</p>
  <table>
    <tr><th>信息内容</th><th>本年制发件数</th></tr>
    <tr><td><p>规章</p></td><td>0</td></tr>
    <tr><td>规范性文件</td><td>12</td></tr>
  </table>
  <div>二、主动公开政府信息情况<br>全年主动公开信息<b>1200</b>条。</div>
  <div class="bdsharebuttonbox">分享到：微信 微博</div>
  <div class="toolbar">打印 关闭</div>
</div>
<aside>相关链接</aside>
<form>搜索</form>
<noscript>请启用脚本</noscript>
<footer>版权所有 某县人民政府</footer>
<div id="footer-info">网站标识码 0000000000</div>
</body></html>
"""

REPORT_HTML_LINES = [
    "某县2023年政府信息公开工作年度报告",
    "一、总体情况",
    "本年度，我县认真贯彻落实《中华人民共和国政府信息公开条例》。",
    "信息内容\t本年制发件数",
    "规章\t0",
    "规范性文件\t12",
    "二、主动公开政府信息情况",
    "全年主动公开信息1200条。",
]
HTML_FURNITURE = [
    "门户网站",
    "首页",
    "当前位置",
    "分享到",
    "打印",
    "相关链接",
    "搜索",
    "版权所有",
    "网站标识码",
    "脚本",
]


def make_html(path: Path, *, encoding: str = "utf-8") -> Path:
    path.write_bytes(REPORT_HTML.format(charset=encoding).encode(encoding))
    return path


# --------------------------------------------------------------------------- txt

SAMPLE_TXT = "某县2023年政府信息公开工作年度报告\r\n一、总体情况\r\n①主动公开；②依申请公开；⑦其他。\r\n\r\n全年收到申请12件。\n"
SAMPLE_TRADITIONAL = "某縣政府資訊公開工作年度報告\r\n一、總體情況\r\n①主動公開；②依申請公開；⑦其他。\r\n全年收到申請十二件。\n"


def make_encoded(path: Path, text: str, encoding: str, *, bom: bytes = b"") -> Path:
    path.write_bytes(bom + text.encode(encoding))
    return path


def truncations(data: bytes) -> list[tuple[str, bytes]]:
    """Prefixes of ``data`` cut at several points (start, middle, near the end)."""
    cuts = [64, len(data) // 4, len(data) // 2, len(data) * 9 // 10, len(data) - 7, len(data) - 3]
    return [(f"cut{c}", data[:c]) for c in cuts if 0 < c < len(data)]


def corrupt_middle(data: bytes, start: int, length: int = 64) -> bytes:
    """``data`` with ``length`` bytes from ``start`` replaced by junk (same size)."""
    junk = bytes((i * 37 + 11) % 256 for i in range(length))
    return data[:start] + junk + data[start + length :]


def docx_bytes(blocks: list[str | list[list[str]]]) -> bytes:
    buf = io.BytesIO()
    import docx

    document = docx.Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
    document.save(buf)
    return buf.getvalue()


def make_docx_inline_markup(path: Path) -> Path:
    """A docx whose paragraphs carry a hyperlink, a tracked insertion and deletion, a PAGE field,
    a tab stop definition, a tab and a line break, plus a content control (w:sdt) around a paragraph."""
    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    r = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    document = docx.Document()
    body = document.element.body
    sect = body[-1]  # keep w:sectPr last
    xml = [
        f"<w:p {w} {r}><w:pPr><w:tabs><w:tab w:val='left' w:pos='720'/></w:tabs></w:pPr>"
        "<w:r><w:t>详见</w:t></w:r><w:hyperlink r:id='rId99'><w:r><w:t>政府网站</w:t></w:r></w:hyperlink>"
        "<w:ins w:id='1' w:author='a'><w:r><w:t>（新增）</w:t></w:r></w:ins>"
        "<w:del w:id='2' w:author='a'><w:r><w:delText>删除的字</w:delText></w:r></w:del>"
        "<w:r><w:tab/><w:t>甲</w:t><w:br/><w:t>乙</w:t><w:br w:type='page'/></w:r>"
        "<w:r><w:fldChar w:fldCharType='begin'/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>"
        "<w:r><w:fldChar w:fldCharType='separate'/></w:r><w:r><w:t>7</w:t></w:r>"
        "<w:r><w:fldChar w:fldCharType='end'/></w:r></w:p>",
        f"<w:sdt {w}><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>控件内段落</w:t></w:r></w:p></w:sdtContent></w:sdt>",
    ]
    for chunk in xml:
        sect.addprevious(parse_xml(chunk))
    document.save(str(path))
    return path
