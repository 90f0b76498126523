"""hello: the example FastAPI app that fastapi_ops.server deploys.

``/`` answers with a greeting and the release it runs from, ``/health`` is
the health check, and ``/items/{item_id}`` is a small JSON endpoint.

The release is ``APP_RELEASE`` when set, else the ``id`` in the
``release.json`` that the collection's app role writes next to ``src/``
(``releases/ID/release.json``, with this file at ``releases/ID/src/main.py``).
"""

import json
import os
from pathlib import Path

from fastapi import FastAPI


def release_id() -> str:
    if os.environ.get("APP_RELEASE"):
        return os.environ["APP_RELEASE"]
    try:
        described = json.loads((Path(__file__).resolve().parent.parent / "release.json").read_text())
        return str(described["id"])
    except (OSError, ValueError, KeyError):
        return "unknown"


RELEASE = release_id()
GREETING = os.environ.get("GREETING", "Hello")

app = FastAPI(title="hello")


@app.get("/")
def index() -> dict:
    return {"message": f"{GREETING}, world!", "release": RELEASE}


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.get("/items/{item_id}")
def item(item_id: int, q: str | None = None) -> dict:
    return {"item_id": item_id, "q": q, "release": RELEASE}
