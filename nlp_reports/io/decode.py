"""Detect the encoding of a plain-text report and decode it exactly.

Reports come as UTF-8 (with or without BOM), UTF-16 (with BOM, or BOM-less), GB2312/GBK/GB18030
or Big5. The encoding is detected, never assumed:

1. a BOM (UTF-8, UTF-32, UTF-16) decides, and only the BOM is stripped;
2. NUL bytes mean BOM-less UTF-16 (endianness from the NUL pattern and plausibility) or binary;
3. strict UTF-8;
4. otherwise gb18030 vs big5: each is tried strictly and the one whose non-ASCII characters are
   more often common characters (GB2312 level 1 or the Big5 frequent set) or CJK punctuation wins
   (a wrong decoding gives rare ideographs, kana, box drawing, private-use characters). Big5 is
   tried as plain ``big5``, then ``cp950``, before ``big5hkscs``: HKSCS maps C6A1… to ①… while
   Big5/CP950 put ①–⑩ at C7E9…, so HKSCS would read ordinary Big5 text wrong.

The returned encoding name is a Python codec with ``data.decode(name) == text``.
"""

from __future__ import annotations

import codecs
import re
from os import PathLike

from nlp_reports.errors import ReportLoadError

__all__ = ["decode_bytes", "check_text_like", "non_ascii_score"]

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its LE BOM starts with the UTF-16 LE BOM.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Control characters that real text files carry: tab, newlines, form feed (page breaks in
# PDF-converted text), vertical tab.
_ALLOWED_CONTROLS = "\t\n\r\x0b\x0c"
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
_MAX_CONTROL_SHARE = 0.01
# The encoding decision needs a sample, not the whole file (strict decoding still covers it all).
_SAMPLE_CHARS = 200_000

_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Big5 candidates, plain Big5 first (see module docstring).
_BIG5_CODECS = ("big5", "cp950", "big5hkscs")


def _charset_block(codec: str, leads: range, trails: tuple[range, ...]) -> frozenset[str]:
    raw = bytearray()
    for lead in leads:
        for trail_range in trails:
            for trail in trail_range:
                raw += bytes((lead, trail))
    text = bytes(raw).decode(codec, errors="ignore")
    return frozenset(ch for ch in text if _CJK_RE.match(ch))


# The most frequent characters of each script, derived from the charsets themselves (no word
# list): GB2312 level 1 (3755 common simplified) and Big5 A440–C67E (5401 common traditional).
_COMMON_CJK: frozenset[str] = _charset_block("gb2312", range(0xB0, 0xD8), (range(0xA1, 0xFF),)) | (
    _charset_block("big5", range(0xA4, 0xC7), (range(0x40, 0x7F), range(0xA1, 0xFF)))
)


def _name(path: str | PathLike[str] | None) -> str | None:
    return None if path is None else str(path)


def _is_good_non_ascii(ch: str) -> bool:
    """Common CJK character or punctuation that Chinese reports use."""
    o = ord(ch)
    return (
        ch in _COMMON_CJK
        or 0x3000 <= o <= 0x303F  # CJK punctuation
        or 0xFF00 <= o <= 0xFFEF  # full-width forms
        or 0x2000 <= o <= 0x206F  # general punctuation
        or 0x2460 <= o <= 0x24FF  # ① …
    )


def non_ascii_score(text: str) -> tuple[float, int]:
    """Share of non-ASCII characters that are common CJK or punctuation, and their count.

    A wrong legacy decoding yields rare ideographs, kana, box drawing or private-use characters.
    Only the first 200k characters are looked at.

    >>> non_ascii_score("政府信息公开，①")
    (1.0, 8)
    """
    sample = [ch for ch in text[:_SAMPLE_CHARS] if ord(ch) > 0x7F]
    if not sample:
        return 0.0, 0
    return sum(1 for ch in sample if _is_good_non_ascii(ch)) / len(sample), len(sample)


def _plausibility(text: str) -> float:
    """Share of characters that look like report text (for telling UTF-16 LE from BE)."""
    text = text[:_SAMPLE_CHARS]
    if not text:
        return 0.0
    good = 0
    for ch in text:
        if 0x20 <= ord(ch) < 0x7F or ch in _ALLOWED_CONTROLS or _is_good_non_ascii(ch):
            good += 1
    return good / len(text)


def check_text_like(text: str, path: str | PathLike[str] | None, encoding: str) -> None:
    """Raise if decoded text is really binary (NUL characters or many control characters)."""
    if "\x00" in text:
        raise ReportLoadError(_name(path), f"binary file: contains NUL bytes (decoded as {encoding})")
    n_ctrl = len(_CONTROL_RE.findall(text))
    if n_ctrl and n_ctrl > _MAX_CONTROL_SHARE * len(text):
        raise ReportLoadError(
            _name(path),
            f"binary file: {n_ctrl} control characters in {len(text)} (decoded as {encoding})",
        )


def _try(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _decode_utf16_bomless(data: bytes, path: str | PathLike[str] | None) -> tuple[str, str]:
    """BOM-less UTF-16: the NUL pattern first (ASCII has its zero byte on one side), else plausibility."""
    if len(data) % 2:
        raise ReportLoadError(_name(path), "binary file: contains NUL bytes and is not UTF-16 (odd length)")
    nul_even = data[0::2].count(0)
    nul_odd = data[1::2].count(0)
    candidates: list[tuple[float, str, str]] = []
    for codec in ("utf-16-le", "utf-16-be"):
        text = _try(data, codec)
        if text is not None:
            candidates.append((_plausibility(text), codec, text))
    if not candidates:
        raise ReportLoadError(_name(path), "binary file: contains NUL bytes and does not decode as UTF-16")
    total = nul_even + nul_odd
    skew = max(nul_even, nul_odd) / total if total else 0.0
    if total >= 8 and skew >= 0.9:
        # zero high bytes of ASCII/newlines: LE puts them at odd offsets, BE at even offsets
        preferred = "utf-16-le" if nul_odd > nul_even else "utf-16-be"
        chosen = [c for c in candidates if c[1] == preferred]
        if chosen and chosen[0][0] >= 0.8:
            return chosen[0][2], chosen[0][1]
    score, codec, text = max(candidates)
    if score < 0.8:
        raise ReportLoadError(
            _name(path), "binary file: contains NUL bytes and does not look like UTF-16 text"
        )
    return text, codec


def _first_error(data: bytes, codec: str) -> str:
    try:
        data.decode(codec)
    except UnicodeDecodeError as err:
        return f"byte offset {err.start}"
    return "?"


def _decode_cjk_legacy(data: bytes, path: str | PathLike[str] | None) -> tuple[str, str]:
    """gb18030 vs big5: both strict; the decoding with more common characters and punctuation wins."""
    candidates: list[tuple[float, int, str, str]] = []  # (share, gb18030 wins ties, codec, text)
    gb = _try(data, "gb18030")
    if gb is not None:
        candidates.append((non_ascii_score(gb)[0], 1, "gb18030", gb))
    for codec in _BIG5_CODECS:
        text = _try(data, codec)
        if text is not None:
            candidates.append((non_ascii_score(text)[0], 0, codec, text))
            break  # the first Big5 variant that decodes strictly is the right one
    if not candidates:
        raise ReportLoadError(
            _name(path),
            "undecodable bytes: not UTF-8, UTF-16, GB18030 or Big5 "
            f"(UTF-8 fails at {_first_error(data, 'utf-8')}, GB18030 at {_first_error(data, 'gb18030')})",
        )
    share, _, codec, text = max(candidates, key=lambda c: (c[0], c[1]))
    if non_ascii_score(text)[1] >= 20 and share < 0.3:
        raise ReportLoadError(
            _name(path), f"undecodable bytes: decodes as {codec} but reads as gibberish (unknown encoding)"
        )
    return text, codec


def decode_bytes(data: bytes, path: str | PathLike[str] | None = None) -> tuple[str, str]:
    """Decode a text file's bytes exactly: ``(text, codec)`` with ``data.decode(codec) == text``.

    Only a BOM is removed; newlines (``\\r\\n``) stay as they are. ``path`` only names the file in
    errors. Raises :class:`ReportLoadError` for binary or undecodable bytes.

    >>> decode_bytes("政府信息公开".encode("gb18030"))
    ('政府信息公开', 'gb18030')
    >>> decode_bytes(codecs.BOM_UTF8 + "年报\\r\\n".encode())
    ('年报\\r\\n', 'utf-8-sig')
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _try(data, codec)
            if text is None:
                raise ReportLoadError(
                    _name(path), f"undecodable bytes: starts with a {codec} BOM but is not valid {codec}"
                )
            check_text_like(text, path, codec)
            return text, codec
    if b"\x00" in data:
        text, codec = _decode_utf16_bomless(data, path)
    else:
        utf8 = _try(data, "utf-8")
        text, codec = (utf8, "utf-8") if utf8 is not None else _decode_cjk_legacy(data, path)
    check_text_like(text, path, codec)
    return text, codec
