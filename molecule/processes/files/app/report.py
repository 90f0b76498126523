"""jobs: the scheduled job, a report of one run in the app's SQLite database.

Records when it started and ended, the code's version and the GREETING of
its environment; it runs longer than its timer's period, so a run that
overlapped another would show as two overlapping rows.
"""

import os
import sqlite3
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VERSION = (HERE / "VERSION").read_text().strip()
DB = Path(os.environ["STATE_DIRECTORY"]) / "jobs.db"
SCHEMA = "CREATE TABLE IF NOT EXISTS reports (id INTEGER PRIMARY KEY, version TEXT, greeting TEXT, started REAL, ended REAL)"


def main() -> None:
    started = time.time()
    time.sleep(float(os.environ.get("REPORT_SECONDS", "3")))
    conn = sqlite3.connect(DB, timeout=30, isolation_level=None)
    conn.execute(SCHEMA)
    conn.execute("INSERT INTO reports (version, greeting, started, ended) VALUES (?, ?, ?, ?)",
                 (VERSION, os.environ.get("GREETING", "-"), started, time.time()))
    print("report %s: done" % VERSION, flush=True)


if __name__ == "__main__":
    main()
