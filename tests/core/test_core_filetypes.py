"""Evidence file kinds judged from content (core.filetypes): the three kinds accepted, the
usual disguises refused, and no byte string that lacks a signature is ever accepted."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from homes_qa.core.filetypes import JPEG, PDF, PNG, sniff

PDF_BYTES = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + b"\x00" * 17
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20 + b"\xff\xd9"


def test_the_three_kinds_are_recognised():
    assert sniff(PDF_BYTES).code == PDF
    assert sniff(PNG_BYTES).code == PNG
    assert sniff(JPEG_BYTES).code == JPEG


def test_content_types_are_the_served_ones():
    assert (sniff(PDF_BYTES).content_type, sniff(PNG_BYTES).content_type, sniff(JPEG_BYTES).content_type) == (
        "application/pdf", "image/png", "image/jpeg")


def test_a_windows_executable_is_refused():
    assert sniff(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100) is None


def test_an_elf_binary_is_refused():
    assert sniff(b"\x7fELF\x02\x01\x01" + b"\x00" * 100) is None


def test_an_html_page_is_refused():
    assert sniff(b"<!DOCTYPE html><html><script>alert(1)</script></html>") is None


def test_html_after_a_pdf_header_without_an_end_marker_is_refused():
    assert sniff(b"%PDF-1.4\n<html><script>alert(1)</script></html>") is None


def test_a_zip_is_refused():
    assert sniff(b"PK\x03\x04" + b"\x00" * 60) is None


def test_a_truncated_png_signature_is_refused():
    assert sniff(b"\x89PNG\r\n\x1a\n") is None


def test_a_bad_pdf_version_is_refused():
    assert sniff(b"%PDF-x.y\n%%EOF") is None


_SIGNATURES = (b"%PDF-", b"\x89PNG", b"\xff\xd8")


@given(st.binary(max_size=200))
def test_bytes_without_a_signature_are_never_accepted(data):
    if not data.startswith(_SIGNATURES):
        assert sniff(data) is None


@given(st.binary(max_size=200))
def test_a_pdf_with_anything_in_its_body_is_still_a_pdf(body):
    assert sniff(b"%PDF-1.4\n" + body + b"\n%%EOF").code == PDF
