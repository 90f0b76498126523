"""The example app (hello_app.py here) whose health check fails on cluster-app2 only.

Each app host knows its own name from LAB_HOST (the scenario's inventory),
so this release goes live on cluster-app1 and fails its switch on the second
app host of the rollout.
"""

import os

from fastapi.responses import JSONResponse

from hello_app import app

FAILS_ON = "cluster-app2"


@app.middleware("http")
async def fail_health_on_one_host(request, call_next):
    if request.url.path == "/health" and os.environ.get("LAB_HOST") == FAILS_ON:
        return JSONResponse({"status": "unhealthy on %s" % FAILS_ON}, status_code=503)
    return await call_next(request)
