"""A tiny app that reports what it sees, for the gunicorn scenario's tests."""

import asyncio
import os
import tempfile
from pathlib import Path

from fastapi import BackgroundTasks, FastAPI, Request, WebSocket
from fastapi.responses import StreamingResponse

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


# Long-lived connections, for the drain of a switch: the WebSocket echoes
# with the instance's master (ppid) and the stream says which one sends.
@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    while True:
        text = await websocket.receive_text()
        await websocket.send_json({"echo": text, "ppid": os.getppid(), "pid": os.getpid()})


@app.get("/events")
async def events():
    async def stream():
        count = 0
        while True:
            yield "data: %d %d\n\n" % (os.getppid(), count)
            count += 1
            await asyncio.sleep(0.2)

    return StreamingResponse(stream(), media_type="text/event-stream")


# FastAPI's background task example, as its documentation writes it: the
# file goes to the working directory, which is the read-only release.
def write_notification(email: str, message=""):
    with open("log.txt", mode="w") as email_file:
        content = f"notification for {email}: {message}"
        email_file.write(content)


@app.post("/send-notification/{email}")
async def send_notification(email: str, background_tasks: BackgroundTasks):
    background_tasks.add_task(write_notification, email, message="some notification")
    return {"message": "Notification sent in the background"}


# The same example as docs/apps.md shows it: the file goes to the app's
# state directory, which systemd gives it.
def write_notification_to_state(email: str, message=""):
    with open(Path(os.environ["STATE_DIRECTORY"]) / "log.txt", mode="w") as email_file:
        content = f"notification for {email}: {message}"
        email_file.write(content)


@app.post("/send-notification-to-state/{email}")
async def send_notification_to_state(email: str, background_tasks: BackgroundTasks):
    background_tasks.add_task(write_notification_to_state, email, message="some notification")
    return {"message": "Notification sent in the background"}
