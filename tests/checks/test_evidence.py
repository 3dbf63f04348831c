"""Certificate evidence: PDF, JPEG and PNG judged by content, a size limit, stored outside
static/ under a generated name with its sha256, served only as a download to people who may
see the home, and in the audit trail. Upload attacks are refused with nothing saved."""
from __future__ import annotations

import hashlib
import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from homes_qa.checks.models import CertificateEntry, Evidence
from homes_qa.checks.service import MAX_UPLOAD_BYTES
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.audit.models import AuditEvent
from homes_qa.spine.obligations.models import Completion
from tests import clock as test_clock

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + b"\x00" * 17
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20 + b"\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><body><script>document.location='https://evil.example'</script></body></html>"


def dmy(day: date) -> dict:
    return {"done_on": [str(day.day), str(day.month), str(day.year)]}


def upload_dir(app) -> Path:
    return Path(app.instance_path) / "uploads"


def stored_files(app) -> list[Path]:
    folder = upload_dir(app)
    return sorted(folder.iterdir()) if folder.exists() else []


BIG_PDF = PDF[:-7] + b"\x00" * (MAX_UPLOAD_BYTES + 1) + b"%%EOF\n"


def record_with(auth, home_id, data: bytes, filename: str):
    if len(data) > 400_000:  # the test client spools a big body to a temporary file it never closes
        boundary = "----homesqa-test-boundary"
        fields = {"csrf_token": auth.token, "contractor": "Warm Homes Gas Ltd",
                  "done_on": [str(TODAY.day), str(TODAY.month), str(TODAY.year)]}
        parts = []
        for name, values in fields.items():
            for value in values if isinstance(values, list) else [values]:
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                             .encode())
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="evidence"; filename="{filename}"\r\n'
                     f"Content-Type: application/pdf\r\n\r\n".encode() + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return auth.client.post(f"/homes/{home_id}/register/gas_safety/record", data=body,
                                content_type=f"multipart/form-data; boundary={boundary}")
    return auth.post(f"/homes/{home_id}/register/gas_safety/record",
                     {**dmy(TODAY), "contractor": "Warm Homes Gas Ltd", "evidence": (io.BytesIO(data), filename)},
                     content_type="multipart/form-data")


def test_a_pdf_certificate_is_stored_with_its_hash_and_audited(app, client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert record_with(auth, world.home_a.id, PDF, "gas 2026.pdf").status_code == 303
    with app.app_context():
        evidence = db.session.scalar(select(Evidence))
        assert (evidence.original_name, evidence.kind, evidence.size_bytes, evidence.sha256) == (
            "gas 2026.pdf", "pdf", len(PDF), hashlib.sha256(PDF).hexdigest())
        assert evidence.stored_name != "gas 2026.pdf"
        assert evidence.stored_name.endswith(".pdf") and len(evidence.stored_name) == 36
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "Evidence"))
        assert audit.changes["sha256"][1] == evidence.sha256
        assert audit.home_id == world.home_a.id
        stored = upload_dir(app) / evidence.stored_name
    assert stored.read_bytes() == PDF
    assert "static" not in stored.parts


def test_evidence_is_served_only_as_an_attachment(app, client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    record_with(auth, world.home_a.id, PDF, "gas.pdf")
    with app.app_context():
        evidence_id = db.session.scalar(select(Evidence.id))
    response = client.get(f"/evidence/{evidence_id}")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "gas.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_visitor_of_the_home_may_download_and_another_home_may_not(app, client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    record_with(auth, world.home_a.id, PDF, "gas.pdf")
    with app.app_context():
        evidence_id = db.session.scalar(select(Evidence.id))
    auth.sign_out()
    auth.sign_in(world.users[Role.REG44_VISITOR])
    assert client.get(f"/evidence/{evidence_id}").status_code == 200
    auth.sign_out()
    auth.sign_in(world.manager_b)
    assert client.get(f"/evidence/{evidence_id}").status_code == 404
    auth.sign_out()
    assert client.get(f"/evidence/{evidence_id}").status_code == 302  # to sign-in


@pytest.mark.parametrize("data, filename, message", [
    (EXE, "certificate.pdf", "must be a PDF, JPEG or PNG"),
    (EXE, "photo.jpg", "must be a PDF, JPEG or PNG"),
    (HTML, "certificate.pdf", "must be a PDF, JPEG or PNG"),
    (BIG_PDF, "big.pdf", "must be smaller than 5 MB"),
    (b"", "empty.pdf", "The selected file is empty"),
], ids=["renamed-executable", "executable-as-jpeg", "html-as-pdf", "oversized", "empty"])
def test_upload_attacks_are_refused_and_nothing_is_saved(app, client, world, auth, data, filename, message):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    response = record_with(auth, world.home_a.id, data, filename)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html
    assert message in html
    with app.app_context():
        assert db.session.scalar(select(func.count(CertificateEntry.id))) == 0
        assert db.session.scalar(select(func.count(Evidence.id))) == 0
        assert db.session.scalar(select(func.count(Completion.id))) == 0
    assert stored_files(app) == []


@pytest.mark.parametrize("data, kind", [(PNG, "png"), (JPEG, "jpeg")])
def test_images_can_be_added_to_an_entry(app, client, world, auth, data, kind):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    record_with(auth, world.home_a.id, PDF, "gas.pdf")
    with app.app_context():
        entry_id = db.session.scalar(select(CertificateEntry.id))
    response = auth.post(f"/certificates/{entry_id}/evidence", {"evidence": (io.BytesIO(data), "scan.dat")},
                         content_type="multipart/form-data")
    assert response.status_code == 303
    with app.app_context():
        assert sorted(db.session.scalars(select(Evidence.kind))) == sorted(["pdf", kind])
    assert len(stored_files(app)) == 2
    assert "scan.dat" in client.get(f"/certificates/{entry_id}").get_data(as_text=True)


def test_adding_evidence_refuses_an_html_file_with_nothing_saved(app, client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    record_with(auth, world.home_a.id, PDF, "gas.pdf")
    with app.app_context():
        entry_id = db.session.scalar(select(CertificateEntry.id))
    response = auth.post(f"/certificates/{entry_id}/evidence", {"evidence": (io.BytesIO(HTML), "x.pdf")},
                         content_type="multipart/form-data")
    assert "must be a PDF, JPEG or PNG" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Evidence.id))) == 1
    assert len(stored_files(app)) == 1


def test_adding_evidence_without_a_file_asks_for_one(client, world, auth, app):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    record_with(auth, world.home_a.id, PDF, "gas.pdf")
    with app.app_context():
        entry_id = db.session.scalar(select(CertificateEntry.id))
    response = auth.post(f"/certificates/{entry_id}/evidence", {})
    assert "Select a file" in response.get_data(as_text=True)


def test_a_path_in_the_file_name_is_kept_only_as_its_last_part(app, client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    record_with(auth, world.home_a.id, PDF, "..\\..\\windows\\gas.pdf")
    with app.app_context():
        name = db.session.scalar(select(Evidence.original_name))
    assert name.endswith("gas.pdf")
    assert "/" not in name and "\\" not in name


# ---------------------------------------------------------------- over the request limit; a failed commit

def _over_the_request_limit(app) -> bytes:
    return PDF[:-7] + b"\x00" * (app.config["MAX_CONTENT_LENGTH"] + 1) + b"%%EOF\n"


def test_an_upload_over_the_request_limit_returns_to_the_form_with_its_message(app, client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    response = record_with(auth, world.home_a.id, _over_the_request_limit(app), "huge.pdf")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/homes/{world.home_a.id}/register/gas_safety/record")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "There is a problem" in page  # the GOV.UK error summary
    assert 'class="govuk-error-message"' in page and "The selected file must be smaller than 5 MB" in page
    again = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "There is a problem" not in again  # said once
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CertificateEntry)) == 0
    assert stored_files(app) == []


def test_evidence_over_the_request_limit_returns_to_the_certificate_with_its_message(app, client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert record_with(auth, world.home_a.id, PDF, "gas.pdf").status_code == 303
    with app.app_context():
        entry_id = db.session.scalar(select(CertificateEntry.id))
    boundary = "----homesqa-test-boundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{auth.token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="evidence"; filename="huge.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n").encode() + _over_the_request_limit(app) + (
        f"\r\n--{boundary}--\r\n").encode()
    response = client.post(f"/certificates/{entry_id}/evidence", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/certificates/{entry_id}")
    page = client.get(f"/certificates/{entry_id}").get_data(as_text=True)
    assert "There is a problem" in page and "The selected file must be smaller than 5 MB" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Evidence)) == 1


def test_a_file_written_before_a_failed_commit_is_removed(app, world, monkeypatch):
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from homes_qa.checks import service
    from homes_qa.checks.models import CheckType
    from homes_qa.spine.audit.models import acting_as
    from homes_qa.spine.people.models import Home, User

    def refuse(session):
        raise RuntimeError("the database went away at commit")

    with app.app_context(), acting_as("test"):
        service.sync_types()
        db.session.commit()
        home = db.session.get(Home, world.home_a.id)
        gas = db.session.scalar(select(CheckType).where(CheckType.code == "gas_safety"))
        manager = db.session.get(User, world.users[Role.REGISTERED_MANAGER].id)
        written: list[Path] = []
        real_write = Path.write_bytes

        def spy(path, data):
            written.append(path)
            return real_write(path, data)

        monkeypatch.setattr(Path, "write_bytes", spy)
        event.listen(Session, "before_commit", refuse)
        try:
            with pytest.raises(RuntimeError):
                service.record_certificate(home, gas, done_on=TODAY, contractor="Warm Homes Gas Ltd",
                                           certificate_number="", note="", upload=service.Upload("gas.pdf", PDF),
                                           by=manager)
        finally:
            event.remove(Session, "before_commit", refuse)
        assert len(written) == 1  # the file was written (after the flush) …
        assert not written[0].exists()  # … and removed by the rollback
        assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0
        # A commit that succeeds keeps its file.
        service.record_certificate(home, gas, done_on=TODAY, contractor="Warm Homes Gas Ltd", certificate_number="",
                                   note="", upload=service.Upload("gas.pdf", PDF), by=manager)
        assert len(written) == 2 and written[1].exists()
