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


# ---------------------------------------------------------------- documents (issue 10: evidence on actions)
#
# An action's evidence may also be an office document or plain text. Still judged by content:
#
# - DOCX / XLSX (ECMA-376 Part 2, Open Packaging Conventions): a ZIP archive (local file header
#   ``PK\x03\x04``) whose central directory lists ``[Content_Types].xml`` and the main part:
#   ``word/document.xml`` for a Word document, ``xl/workbook.xml`` for a workbook. Only the
#   directory is read (no member is decompressed), so a ZIP bomb costs nothing. Any other ZIP
#   (a renamed archive, a JAR, an ODT) is refused.
# - DOC / XLS (MS-CFB §2.2): the compound file signature ``D0 CF 11 E0 A1 B1 1A E1``; the
#   directory holds a stream named "WordDocument" (MS-DOC §2.1.1) or "Workbook"/"Book"
#   (MS-XLS §2.1.2), names stored as UTF-16LE. A compound file with neither is refused.
# - CSV / text: bytes that decode as UTF-8 (or Windows-1252, as spreadsheets export) with no
#   control characters but tab, line feed, carriage return and form feed. Text has no
#   signature, so here the name's extension must also be .csv or .txt: text called
#   "report.pdf" is refused rather than stored as something it claims not to be.

DOCX = "docx"
XLSX = "xlsx"
DOC = "doc"
XLS = "xls"
CSV = "csv"
TEXT = "txt"

DOCUMENT_KINDS: dict[str, FileKind] = {
    **KINDS,
    DOCX: FileKind(DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx",
                   "Word document"),
    XLSX: FileKind(XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx",
                   "Excel workbook"),
    DOC: FileKind(DOC, "application/msword", "doc", "Word document"),
    XLS: FileKind(XLS, "application/vnd.ms-excel", "xls", "Excel workbook"),
    CSV: FileKind(CSV, "text/csv", "csv", "CSV file"),  # no charset: UTF-8 or Windows-1252
    TEXT: FileKind(TEXT, "text/plain", "txt", "Text file"),
}

_CFB_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_TEXT_CONTROLS_ALLOWED = {9, 10, 12, 13}


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _ooxml(data: bytes) -> str | None:
    import io
    import zipfile

    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _compound(data: bytes) -> str | None:
    if not data.startswith(_CFB_SIGNATURE) or len(data) < 512:
        return None
    if _utf16("WordDocument") in data:
        return DOC
    if _utf16("Workbook") in data or _utf16("Book\x00") in data:
        return XLS
    return None


def _is_text(data: bytes) -> bool:
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = body.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return all(ord(c) >= 32 or ord(c) in _TEXT_CONTROLS_ALLOWED for c in text) and "\x7f" not in text


def _extension(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip().lower()
    return name.rsplit(".", 1)[-1] if "." in name else ""


def sniff_document(data: bytes, filename: str) -> FileKind | None:
    """The kind of an action's evidence file: PDF, PNG, JPEG, Word, Excel (judged by content),
    or CSV/text (content that is text, named .csv or .txt); otherwise None."""
    kind = sniff(data)
    if kind is not None:
        return kind
    code = _ooxml(data) or _compound(data)
    if code is not None:
        return DOCUMENT_KINDS[code]
    extension = _extension(filename)
    if extension in (CSV, TEXT) and _is_text(data):
        return DOCUMENT_KINDS[extension]
    return None
