"""A release of hello that starts but fails its health check."""

from fastapi import FastAPI
from fastapi.responses import JSONResponse

app = FastAPI(title="hello")


@app.get("/")
def index() -> dict:
    return {"message": "Hello, world!", "release": "unhealthy"}


@app.get("/health")
def health() -> JSONResponse:
    return JSONResponse({"status": "database unreachable"}, status_code=503)
