"""jobs: the web side of the processes scenario's app.

``POST /jobs?sleep=S`` enqueues a job in a SQLite table in the app's state
directory, ``GET /jobs/{id}`` reads it back; the worker (worker.py, a
process of the app) consumes the table. ``GET /reports`` lists the runs of
the scheduled job (report.py). ``/`` names the code's version,
``/health`` is the health check. ``/static/...`` is the release's static
directory, which Caddy serves itself: the app's own route there answers
``from the app``, so a response that reached the app shows.
"""

import os
import sqlite3
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import PlainTextResponse

HERE = Path(__file__).resolve().parent
VERSION = (HERE / "VERSION").read_text().strip()
DB = Path(os.environ.get("STATE_DIRECTORY", "/tmp")) / "jobs.db"
SCHEMA = ("CREATE TABLE IF NOT EXISTS jobs (id INTEGER PRIMARY KEY, sleep REAL NOT NULL, status TEXT NOT NULL, "
          "enqueued_by TEXT, worker TEXT, result TEXT, stopping INTEGER DEFAULT 0)")

app = FastAPI(title="jobs")


def connect() -> sqlite3.Connection:
    conn = sqlite3.connect(DB, timeout=30, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute(SCHEMA)
    return conn


@app.get("/")
def index() -> dict:
    return {"version": VERSION, "pid": os.getpid()}


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.post("/jobs")
def enqueue(sleep: float = 0.0) -> dict:
    with connect() as conn:
        cursor = conn.execute("INSERT INTO jobs (sleep, status, enqueued_by) VALUES (?, 'queued', ?)", (sleep, VERSION))
        return {"id": cursor.lastrowid}


@app.get("/reports")
def reports() -> list:
    with connect() as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS reports (id INTEGER PRIMARY KEY, version TEXT, greeting TEXT, "
                     "started REAL, ended REAL)")
        return [dict(row) for row in conn.execute("SELECT * FROM reports ORDER BY id")]


@app.get("/jobs/{job_id}")
def job(job_id: int) -> dict:
    with connect() as conn:
        row = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
    if row is None:
        raise HTTPException(status_code=404)
    return dict(row)


@app.get("/static/{path:path}", response_class=PlainTextResponse)
def not_static(path: str) -> str:
    return "from the app\n"
