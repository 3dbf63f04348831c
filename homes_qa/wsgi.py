"""The WSGI application for a server: `gunicorn --workers 4 "homes_qa.wsgi:app"`.

The app is made once per process and what it made while starting is set aside from the garbage
collector (`heap.settle`), so a full collection does not pause a request to walk it.
"""
from homes_qa import create_app
from homes_qa.heap import settle

app = create_app()
settle()
