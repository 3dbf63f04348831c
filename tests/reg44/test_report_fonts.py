"""Issue 12: the report's PDF is set in sans-serif throughout ("None declared." was serif)."""
from __future__ import annotations

import re
import zlib

import pytest
from test_visits_support import record, submit, today

from homes_qa.core.roles import Role

pytestmark = pytest.mark.usefixtures("clock")


def pdf_fonts(data: bytes) -> set[str]:
    """The font names a PDF uses: /BaseFont entries, in plain or compressed (object) streams."""
    chunks = [data]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            chunks.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return {name.decode() for chunk in chunks for name in re.findall(rb"/BaseFont\s*/([A-Za-z0-9+_.-]+)", chunk)}


def test_the_pdf_uses_no_serif_font(app, client, world, auth):
    visitor = world.users[Role.REG44_VISITOR]
    visit = record(app, visitor.id, today(), home_id=world.home_a.id)
    submit(app, visit, visitor.id)  # no conflict of interest: the report says "None declared."
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert "None declared." in client.get(f"/reg44/visits/{visit}/report/v1/print").get_data(as_text=True)
    pdf = client.get(f"/reg44/visits/{visit}/report/v1/pdf")
    assert pdf.status_code == 200
    fonts = pdf_fonts(pdf.data)
    assert fonts, "no fonts found in the PDF"
    assert not [f for f in fonts if "serif" in f.lower() and "sans" not in f.lower()], fonts
