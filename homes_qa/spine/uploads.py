"""Uploaded files on disk, kept with their database rows: under the instance folder (or
UPLOAD_FOLDER), in a subfolder per area, under a generated name (never the sender's), written
after the row is flushed and removed again if the transaction rolls back.

The same scheme as the certificate register's evidence (checks.service); areas below checks
in the layers (inspections' action evidence) use it from here.
"""
from __future__ import annotations

import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from homes_qa.extensions import db

_WRITTEN = "homes_qa.spine.uploads.written_files"


def folder(area: str) -> Path:
    """The area's folder of stored files (made on first use)."""
    base = Path(current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads")
    path = base / area
    path.mkdir(parents=True, exist_ok=True)
    return path


def generated_name(extension: str) -> str:
    """A stored name that says nothing of the file and cannot be guessed: 32 hex digits."""
    return f"{secrets.token_hex(16)}.{extension}"


def display_name(filename: str | None, fallback: str) -> str:
    """The sender's file name, kept only as a label: its last path part, at most 255 characters."""
    name = Path((filename or "").replace("\\", "/")).name.strip()
    return "".join(c for c in name if c.isprintable())[:255] or fallback


def write_with_transaction(path: Path, data: bytes) -> None:
    """Write `data` now; if the outermost transaction rolls back, the file goes with it."""
    db.session.info.setdefault(_WRITTEN, []).append(path)
    path.write_bytes(data)


@event.listens_for(Session, "after_commit")
def _keep_written_files(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


@event.listens_for(Session, "after_soft_rollback")
def _remove_written_files(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is not None or previous_transaction.nested:
        return
    for path in session.info.pop(_WRITTEN, []):
        path.unlink(missing_ok=True)
