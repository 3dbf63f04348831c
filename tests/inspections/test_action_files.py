"""A file attached as evidence to a progress note on an action (issue 10): judged by content
(PDF, JPEG, PNG, Word, Excel, CSV, text), limited in size, stored under instance/uploads/actions/
with a generated name and its sha256, in the audit trail, and served only as a download to those
who may see the action. A refused file is a GOV.UK error by the field (422) with nothing saved;
another home's file, or a file asked for through another action, is 404."""
from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.inspections.models import ActionFile, ActionNote
from homes_qa.inspections.service import MAX_FILE_BYTES
from homes_qa.spine.audit.models import AuditEvent
from tests import clock as test_clock
from tests.inspections.records import audit_finding, inspection_records

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><body><script>document.location='https://evil.example'</script></body></html>"
CSV_ROWS = b"Date,Check,Result\n2026-11-30,Fire door,Closed\n"
BIG_PDF = PDF[:-7] + b"\x00" * (MAX_FILE_BYTES + 1) + b"%%EOF\n"


def zipped(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


DOCX = zipped("[Content_Types].xml", "word/document.xml")
XLSX = zipped("[Content_Types].xml", "xl/workbook.xml")


def text(response) -> str:
    return response.get_data(as_text=True)


def stored_files(app) -> list[Path]:
    folder = Path(app.instance_path) / "uploads" / "actions"
    return sorted(folder.iterdir()) if folder.exists() else []


def add_note(auth, url: str, data: bytes, filename: str, note: str = "Certificate attached"):
    if len(data) > 400_000:  # the test client spools a big body to a temporary file it never closes
        boundary = "----homesqa-test-boundary"
        body = b"".join([
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{auth.token}\r\n'.encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\n{note}\r\n'.encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="evidence"; filename="{filename}"\r\n'
            f"Content-Type: application/pdf\r\n\r\n".encode() + data + b"\r\n",
            f"--{boundary}--\r\n".encode()])
        return auth.client.post(f"{url}/notes", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    return auth.post(f"{url}/notes", {"text": note, "evidence": (io.BytesIO(data), filename)},
                     content_type="multipart/form-data")


@pytest.fixture
def action_url(app, world) -> str:
    return f"/actions/inspection/{inspection_records(app, world, world.home_a)['inspection_item_id']}"


def test_a_pdf_on_a_note_is_stored_hashed_audited_and_linked(app, world, auth, action_url):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    form = text(auth.client.get(action_url))
    assert 'enctype="multipart/form-data"' in form and 'type="file"' in form
    response = add_note(auth, action_url, PDF, "fire door invoice.pdf")
    assert response.status_code == 303 and response.headers["Location"].endswith(action_url)
    with app.app_context():
        item = db.session.scalar(select(ActionFile))
        note = db.session.scalar(select(ActionNote))
        assert item.note_id == note.id and item.home_id == world.home_a.id
        assert (item.original_name, item.kind, item.size_bytes, item.sha256) == (
            "fire door invoice.pdf", "pdf", len(PDF), hashlib.sha256(PDF).hexdigest())
        assert item.stored_name.endswith(".pdf") and len(item.stored_name) == 36 and "fire" not in item.stored_name
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "ActionFile"))
        assert audit.home_id == world.home_a.id and audit.changes["sha256"][1] == item.sha256
        file_id = item.id
    assert [p.name for p in stored_files(app)] == [item.stored_name]
    assert stored_files(app)[0].read_bytes() == PDF
    page = text(auth.client.get(action_url))
    assert f'href="{action_url}/files/{file_id}"' in page
    assert "fire door invoice.pdf" in page and "File attached (created)" in page


@pytest.mark.parametrize("data, filename, kind", [
    (DOCX, "plan.docx", "docx"), (XLSX, "rota.xlsx", "xlsx"), (CSV_ROWS, "checks.csv", "csv"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + b"\x00" * 17, "photo", "png"),
], ids=["word", "excel", "csv", "png-without-extension"])
def test_documents_and_images_are_accepted_by_content(app, world, auth, action_url, data, filename, kind):
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    assert add_note(auth, action_url, data, filename).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(ActionFile.kind)) == kind
    download = auth.client.get(f"{action_url}/files/{_file_id(app)}")
    assert download.status_code == 200 and download.data == data


def _file_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(ActionFile.id))


@pytest.mark.parametrize("data, filename, message", [
    (EXE, "invoice.pdf", "must be a PDF, JPEG, PNG, Word or Excel document, CSV or text file"),
    (HTML, "invoice.pdf", "must be a PDF, JPEG, PNG, Word or Excel document, CSV or text file"),
    (zipped("payload.exe"), "plan.docx", "must be a PDF, JPEG, PNG, Word or Excel document, CSV or text file"),
    (EXE, "notes.txt", "must be a PDF, JPEG, PNG, Word or Excel document, CSV or text file"),
    (BIG_PDF, "big.pdf", "The selected file must be smaller than 5 MB"),
    (b"", "empty.pdf", "The selected file is empty"),
], ids=["executable-as-pdf", "html-as-pdf", "zip-as-docx", "executable-as-text", "too-big", "empty"])
def test_a_refused_file_is_an_error_by_the_field_and_nothing_is_saved(app, world, auth, action_url,
                                                                      data, filename, message):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    response = add_note(auth, action_url, data, filename)
    page = text(response)
    assert response.status_code == 422
    assert "There is a problem" in page and 'href="#evidence"' in page
    assert 'id="evidence-error"' in page and message in page
    with app.app_context():
        assert db.session.scalar(select(func.count(ActionNote.id))) == 0
        assert db.session.scalar(select(func.count(ActionFile.id))) == 0
    assert stored_files(app) == []


def test_a_file_without_a_note_asks_for_the_note_and_saves_nothing(app, world, auth, action_url):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    response = add_note(auth, action_url, PDF, "invoice.pdf", note="  ")
    assert response.status_code == 422 and "Enter the note" in text(response)
    assert stored_files(app) == []


def test_an_upload_over_the_request_limit_returns_to_the_action_with_the_message(app, world, auth, action_url):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    huge = PDF[:-7] + b"\x00" * (app.config["MAX_CONTENT_LENGTH"] + 1) + b"%%EOF\n"
    response = add_note(auth, action_url, huge, "huge.pdf")
    assert response.status_code == 303 and response.headers["Location"].endswith(action_url)
    page = text(auth.client.get(action_url))
    assert "There is a problem" in page and "The selected file must be smaller than 5 MB" in page
    assert "There is a problem" not in text(auth.client.get(action_url))  # said once
    with app.app_context():
        assert db.session.scalar(select(func.count(ActionNote.id))) == 0
    assert stored_files(app) == []


def test_the_sender_s_path_is_kept_only_as_a_label(app, world, auth, action_url):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert add_note(auth, action_url, PDF, "../../etc/cron.d/invoice.pdf").status_code == 303
    with app.app_context():
        item = db.session.scalar(select(ActionFile))
        assert item.original_name == "invoice.pdf"
    assert [p.parent.name for p in stored_files(app)] == ["actions"]


def test_the_file_is_served_only_as_an_attachment_to_those_who_see_the_action(app, world, auth, action_url):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    add_note(auth, action_url, CSV_ROWS, "door checks.csv")
    file_url = f"{action_url}/files/{_file_id(app)}"
    response = auth.client.get(file_url)
    assert response.status_code == 200 and response.data == CSV_ROWS
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"].startswith("attachment") and "door checks.csv" in \
        response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    auth.sign_out()
    auth.sign_in(world.users[Role.REG44_VISITOR])  # the home's visitor reads the action, so its evidence
    assert auth.client.get(file_url).status_code == 200
    assert f'href="{file_url}"' in text(auth.client.get(action_url))
    auth.sign_out()
    auth.sign_in(world.manager_b)  # another home's manager: as if it did not exist
    assert auth.client.get(file_url).status_code == 404
    auth.sign_out()
    auth.sign_in(world.users[Role.HOME_STAFF])  # home staff do not read the action list
    assert auth.client.get(file_url).status_code == 403
    auth.sign_out()
    assert auth.client.get(file_url).status_code == 302  # to sign-in


def test_a_file_asked_for_through_another_action_is_404(app, world, auth, action_url):
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    add_note(auth, action_url, PDF, "invoice.pdf")
    file_id = _file_id(app)
    other = audit_finding(app, world, world.home_a, "Fit door closers")
    assert auth.client.get(f"/actions/audit/{other}/files/{file_id}").status_code == 404
    assert auth.client.get(f"{action_url}/files/{file_id + 1}").status_code == 404
    records_b = inspection_records(app, world, world.home_b)
    assert auth.client.get(f"/actions/inspection/{records_b['inspection_item_id']}/files/{file_id}").status_code == 404


def test_a_missing_stored_file_is_404_not_500(app, world, auth, action_url):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    add_note(auth, action_url, PDF, "invoice.pdf")
    for path in stored_files(app):
        path.unlink()
    assert auth.client.get(f"{action_url}/files/{_file_id(app)}").status_code == 404


def test_a_commit_that_fails_after_the_file_is_written_leaves_no_file(app, world, monkeypatch):
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from homes_qa.inspections import queries, service
    from homes_qa.spine.audit.models import acting_as
    from homes_qa.spine.people.models import User

    def refuse(session):
        raise RuntimeError("the database went away at commit")

    written: list[Path] = []
    real_write = Path.write_bytes

    def spy(path, data):
        written.append(path)
        return real_write(path, data)

    monkeypatch.setattr(Path, "write_bytes", spy)
    item_id = inspection_records(app, world, world.home_a)["inspection_item_id"]
    written.clear()
    with app.test_request_context(), acting_as("test"):
        manager = db.session.get(User, world.users[Role.REGISTERED_MANAGER].id)
        detail = queries.action_detail(manager, "inspection", item_id)
        event.listen(Session, "before_commit", refuse)
        try:
            with pytest.raises(RuntimeError):
                service.add_action_note(detail, text="Invoice", by=manager, upload=service.NoteFile("i.pdf", PDF))
        finally:
            event.remove(Session, "before_commit", refuse)
        assert len(written) == 1 and written[0].parent.name == "actions"  # written after the flush …
        assert not written[0].exists() and stored_files(app) == []  # … and removed by the rollback
        assert db.session.scalar(select(func.count(ActionFile.id))) == 0
        service.add_action_note(detail, text="Invoice", by=manager, upload=service.NoteFile("i.pdf", PDF))
        assert len(stored_files(app)) == 1  # a commit that succeeds keeps its file
