"""Wait for the database before a release starts: ``python app/prestart.py``.

Run from ``backend/``; it imports ``app`` from the installed project.
``PRESTART_WAIT_SECONDS`` (default 30) bounds the wait.
"""

import os
import sys
import time

from sqlalchemy.exc import SQLAlchemyError

from app.db import ping

TIMEOUT = float(os.environ.get("PRESTART_WAIT_SECONDS", "30"))
INTERVAL = 1.0
MAX_ATTEMPTS = int(TIMEOUT / INTERVAL) + 1


def wait_for_database() -> int:
    """Ask once a second for up to TIMEOUT seconds; 0 once the database answers, else 1."""
    deadline = time.monotonic() + TIMEOUT
    attempts = 0
    reason = ""
    while attempts < MAX_ATTEMPTS:
        attempts += 1
        try:
            ping()
        except SQLAlchemyError as error:
            reason = type(getattr(error, "orig", None) or error).__name__
        else:
            print(f"database ready (attempt {attempts})")
            return 0
        if time.monotonic() + INTERVAL >= deadline:
            break
        time.sleep(INTERVAL)
    print(f"database unreachable after {attempts} attempts in {TIMEOUT:.0f} s ({reason})")
    return 1


if __name__ == "__main__":
    sys.exit(wait_for_database())
