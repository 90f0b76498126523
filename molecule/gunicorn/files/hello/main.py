"""A tiny app that reports what it sees, for the gunicorn scenario's tests."""

import os
import tempfile

from fastapi import FastAPI, Request

app = FastAPI()


@app.get("/")
def root(request: Request):
    return {
        "greeting": os.environ.get("GREETING"),
        "pid": os.getpid(),
        "ppid": os.getppid(),
        "uid": os.getuid(),
        "client": request.client.host if request.client else None,
        "scheme": request.url.scheme,
    }


@app.get("/fs")
def filesystem():
    """Which places the sandbox lets the app write to."""
    results = {}
    for path in (os.environ["STATE_DIR"], os.path.dirname(os.path.abspath(__file__)), "/etc", "/tmp"):
        try:
            with tempfile.NamedTemporaryFile(dir=path):
                results[path] = "writable"
        except OSError as error:
            results[path] = error.strerror
    return results
