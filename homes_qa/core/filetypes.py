"""What kind of file an upload is, judged from its first bytes, never from its name.

No file-type library (filetype, puremagic, python-magic) is installed, so this is a small,
explained magic-number check for exactly the three kinds evidence may be:

- PDF  (ISO 32000-1 §7.5.2): the file starts with the header ``%PDF-`` followed by a version
  ``1.x`` or ``2.x``. A PDF ends with ``%%EOF``; we require it in the last 1 KiB, so a
  truncated upload or a text file that merely starts with "%PDF-" is refused.
- PNG  (RFC 2083 §3.1 / ISO 15948): the 8-byte signature ``89 50 4E 47 0D 0A 1A 0A``, then the
  first chunk, which must be IHDR (length 13, type ``IHDR``).
- JPEG (ITU T.81 Annex B): the Start Of Image marker ``FF D8`` followed by another marker
  (``FF`` + a marker byte), as every JFIF/Exif file has (``FF D8 FF E0``/``E1``/``DB``...).

Anything else (an HTML page called .pdf, a Windows executable "MZ", an ELF binary, a ZIP
renamed .png) is refused. Pure: bytes in, a kind or None out.
"""
from __future__ import annotations

from dataclasses import dataclass

PDF = "pdf"
PNG = "png"
JPEG = "jpeg"


@dataclass(frozen=True)
class FileKind:
    code: str
    content_type: str  # the Content-Type the file is served with
    extension: str  # the extension of its generated stored name
    label: str


KINDS: dict[str, FileKind] = {
    PDF: FileKind(PDF, "application/pdf", "pdf", "PDF"),
    PNG: FileKind(PNG, "image/png", "png", "PNG image"),
    JPEG: FileKind(JPEG, "image/jpeg", "jpg", "JPEG image"),
}

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PDF_EOF_WINDOW = 1024


def _is_pdf(data: bytes) -> bool:
    if not data.startswith(b"%PDF-") or len(data) < 8:
        return False
    major, dot, minor = data[5:6], data[6:7], data[7:8]
    if major not in (b"1", b"2") or dot != b"." or not minor.isdigit():
        return False
    return b"%%EOF" in data[-_PDF_EOF_WINDOW:]


def _is_png(data: bytes) -> bool:
    return (data.startswith(_PNG_SIGNATURE) and len(data) >= 16
            and data[8:12] == b"\x00\x00\x00\x0d" and data[12:16] == b"IHDR")


def _is_jpeg(data: bytes) -> bool:
    return len(data) >= 4 and data[0:2] == b"\xff\xd8" and data[2] == 0xFF and data[3] not in (0x00, 0xFF)


def sniff(data: bytes) -> FileKind | None:
    """The kind of file `data` is, if it is one of PDF, PNG or JPEG; otherwise None."""
    if _is_pdf(data):
        return KINDS[PDF]
    if _is_png(data):
        return KINDS[PNG]
    if _is_jpeg(data):
        return KINDS[JPEG]
    return None
