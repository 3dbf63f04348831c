"""CSV downloads every area's registers share: UTF-8 with a byte-order mark (so Excel reads it
as UTF-8), ISO 8601 dates and times, formula injection neutralised (core.exceptions.csv_cell),
streamed, never cached. What goes in is the area's query, already in the user's scope."""
from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from flask import Response, stream_with_context

from homes_qa.core import exceptions as ex
from homes_qa.core.calendar import london_date
from homes_qa.spine.timestamps import utcnow


def csv_response(name: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    def generate() -> Iterator[str]:
        yield codecs.BOM_UTF8.decode("utf-8")
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        for line in ex.csv_rows(header, rows):
            writer.writerow(line)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate(0)
    filename = f"{name}-{london_date(utcnow()).isoformat()}.csv"
    response = Response(stream_with_context(generate()), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
