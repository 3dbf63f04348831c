"""Text of a WeasyPrint PDF, for tests (pypdf is not installed): inflate every stream, read the
fonts' ToUnicode CMaps, and map the hex glyph strings of the text operators back to characters."""
from __future__ import annotations

import re
import zlib

_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.DOTALL)
_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.DOTALL)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.DOTALL)
_HEX_PAIR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_HEX_RANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_TEXT_ARRAY = re.compile(rb"\[(.*?)\]\s*TJ|<([0-9A-Fa-f]*)>\s*Tj", re.DOTALL)


def _streams(pdf: bytes) -> list[bytes]:
    out = []
    for raw in _STREAM.findall(pdf):
        try:
            out.append(zlib.decompress(raw))
        except zlib.error:
            out.append(raw)
    return out


def _utf16(hex_text: bytes) -> str:
    return bytes.fromhex(hex_text.decode()).decode("utf-16-be", errors="replace")


def pdf_text(pdf: bytes) -> str:
    """The document's text, glyph by glyph (spacing between words may be lost)."""
    streams = _streams(pdf)
    glyphs: dict[str, str] = {}
    for stream in streams:
        if b"begincmap" not in stream:
            continue
        for block in _BFCHAR.findall(stream):
            for code, uni in _HEX_PAIR.findall(block):
                glyphs[code.decode().upper()] = _utf16(uni)
        for block in _BFRANGE.findall(stream):
            for low, high, uni in _HEX_RANGE.findall(block):
                start, end, first = int(low, 16), int(high, 16), int(uni, 16)
                width = len(low)
                for n in range(start, end + 1):
                    glyphs[f"{n:0{width}X}"] = chr(first + n - start)
    width = len(next(iter(glyphs), "0000"))
    parts = []
    for stream in streams:
        if b"begincmap" in stream:
            continue
        for array, single in _TEXT_ARRAY.findall(stream):
            for hex_text in (re.findall(rb"<([0-9A-Fa-f]*)>", array) if array else [single]):
                text = hex_text.decode().upper()
                parts.append("".join(glyphs.get(text[i:i + width], "") for i in range(0, len(text), width)))
            parts.append(" ")
    return "".join(parts)
