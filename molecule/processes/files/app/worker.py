"""jobs: the worker, a plain-Python consumer of the app's SQLite jobs table.

Claims one queued job at a time (an atomic UPDATE ... RETURNING, so two
instances never take the same job), sleeps the job's ``sleep`` seconds (a
negative one: until the worker is stopped, then that many seconds more) and
writes its result: the code's version, the GREETING of the environment and
whether the secret WORKER_TOKEN reached it. SIGTERM (systemd's stop) lets
the job in progress finish, then the worker exits. A release with a file
CRASH beside this one crashes at start.
"""

import os
import signal
import sqlite3
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VERSION = (HERE / "VERSION").read_text().strip()
DB = Path(os.environ["STATE_DIRECTORY"]) / "jobs.db"
SCHEMA = ("CREATE TABLE IF NOT EXISTS jobs (id INTEGER PRIMARY KEY, sleep REAL NOT NULL, status TEXT NOT NULL, "
          "enqueued_by TEXT, worker TEXT, result TEXT, stopping INTEGER DEFAULT 0)")

if (HERE / "CRASH").exists():
    sys.exit("worker %s: this release's worker crashes at start (CRASH)" % VERSION)

stopping = False


def stop(signum, frame):
    global stopping
    stopping = True
    print("worker %s: SIGTERM, finishing the job in progress" % VERSION, flush=True)


def main() -> None:
    signal.signal(signal.SIGTERM, stop)
    conn = sqlite3.connect(DB, timeout=30, isolation_level=None)
    conn.execute(SCHEMA)
    name = "%s@%s" % (os.environ.get("FASTAPI_OPS_PROCESS", "?"), os.environ.get("FASTAPI_OPS_INSTANCE", "?"))
    print("worker %s (%s) started" % (VERSION, name), flush=True)
    while not stopping:
        row = conn.execute(
            "UPDATE jobs SET status = 'running', worker = ? WHERE id = "
            "(SELECT id FROM jobs WHERE status = 'queued' ORDER BY id LIMIT 1) RETURNING id, sleep", (name,)).fetchone()
        if row is None:
            time.sleep(0.2)
            continue
        job_id, seconds = row
        if seconds < 0:
            # A job that is in progress whenever the worker is stopped: it
            # works until the stop signal (at most 300 s), then -seconds more.
            bound = time.monotonic() + 300
            while not stopping and time.monotonic() < bound:
                time.sleep(0.2)
            seconds = -seconds
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
        token = "token-ok" if os.environ.get("WORKER_TOKEN") == "lab-secret-token" else "token-missing"
        result = "%s:%s:%s" % (VERSION, os.environ.get("GREETING", "-"), token)
        conn.execute("UPDATE jobs SET status = 'done', result = ?, stopping = ? WHERE id = ?", (result, int(stopping), job_id))
        print("worker %s: job %d done" % (VERSION, job_id), flush=True)
    print("worker %s: stopped gracefully" % VERSION, flush=True)


if __name__ == "__main__":
    main()
