"""An action's evidence file (core.filetypes.sniff_document): PDF and images as for certificates,
Word and Excel documents (new and old formats) judged by their structure, CSV and text only when
the content is text and the name says so. Renamed archives, executables and binaries are refused."""
from __future__ import annotations

import io
import zipfile

from hypothesis import given
from hypothesis import strategies as st

from homes_qa.core.filetypes import CSV, DOC, DOCX, JPEG, PDF, TEXT, XLS, XLSX, sniff_document

PDF_BYTES = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20 + b"\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def zipped(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


def compound(stream: str) -> bytes:
    return bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504 + stream.encode("utf-16-le") + b"\x00" * 64


DOCX_BYTES = zipped("[Content_Types].xml", "word/document.xml")
XLSX_BYTES = zipped("[Content_Types].xml", "xl/workbook.xml")


def test_office_documents_are_recognised_by_their_structure_not_their_name():
    assert sniff_document(DOCX_BYTES, "plan.bin").code == DOCX
    assert sniff_document(XLSX_BYTES, "rota").code == XLSX
    assert sniff_document(compound("WordDocument"), "old.doc").code == DOC
    assert sniff_document(compound("Workbook"), "old.xls").code == XLS


def test_pdf_and_images_are_recognised_as_for_certificates():
    assert sniff_document(PDF_BYTES, "x.docx").code == PDF
    assert sniff_document(JPEG_BYTES, "photo").code == JPEG


def test_other_archives_and_compound_files_are_refused():
    assert sniff_document(zipped("payload.exe"), "plan.docx") is None
    assert sniff_document(zipped("word/document.xml"), "plan.docx") is None  # no [Content_Types].xml
    assert sniff_document(b"PK\x03\x04 truncated", "plan.xlsx") is None
    assert sniff_document(compound("Contents"), "old.doc") is None


def test_text_is_accepted_only_as_csv_or_txt():
    rows = b"Date,Check,Result\n2026-11-30,Fire door,Closed\n"
    assert sniff_document(rows, "checks.CSV").code == CSV
    assert sniff_document(rows, "checks.txt").code == TEXT
    assert sniff_document(rows, "checks.pdf") is None
    assert sniff_document(rows, "checks") is None
    assert sniff_document("Caf\u00e9 bill \u00a312\r\n".encode("cp1252"), "bill.csv").code == CSV
    assert sniff_document(b"\xef\xbb\xbfName\n", "names.csv").code == CSV


def test_binaries_named_as_text_or_documents_are_refused():
    assert sniff_document(EXE, "notes.txt") is None
    assert sniff_document(EXE, "report.docx") is None
    assert sniff_document(b"abc\x00def", "data.csv") is None
    assert sniff_document(b"\x1b[31mred", "log.txt") is None


@given(st.binary(max_size=300), st.sampled_from(["a.pdf", "a.docx", "a.xlsx", "a.doc", "a.png", "a"]))
def test_no_byte_string_without_a_signature_passes_under_a_non_text_name(data, name):
    kind = sniff_document(data, name)
    if kind is not None:
        assert data[:2] in (b"%P", b"\x89P", b"\xff\xd8", b"PK", b"\xd0\xcf")


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=200))
def test_any_printable_text_named_csv_is_csv(text):
    data = text.encode()
    kind = sniff_document(data, "export.csv")
    assert kind is not None
    assert kind.code == CSV or data[:2] in (b"%P", b"PK", b"\xff\xd8", b"\x89P")
