"""The framework's floor for bench_sandbox.py: a bare Starlette app under the same uvicorn
that checks the bearer token and answers the bodies the sandbox answered (read from the
file $BENCH_FLOOR_BODIES names), with nothing validated, stored or journalled."""

from __future__ import annotations

import json
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from vbc_spec import API_BASE_PATH

BODIES = json.loads(Path(os.environ["BENCH_FLOOR_BODIES"]).read_text(encoding="utf-8"))
BEARER = f"Bearer {BODIES['token']}"
CALLS = API_BASE_PATH + "/cc/accounts/{account_id}/calls"


def authorised(request: Request) -> bool:
    return request.headers.get("authorization") == BEARER


async def get_call(request: Request) -> Response:
    if not authorised(request):
        return JSONResponse({"code": 401, "message": "Invalid Credentials"}, 401)
    return JSONResponse(BODIES["get_call"])


async def calls(request: Request) -> Response:
    if not authorised(request):
        return JSONResponse({"code": 401, "message": "Invalid Credentials"}, 401)
    if request.method == "POST":
        await request.json()
        return JSONResponse(BODIES["create_call"])
    return JSONResponse(BODIES["list_calls"])


app = Starlette(
    routes=[
        Route(CALLS, calls, methods=["GET", "POST"]),
        Route(CALLS + "/{call_id}", get_call),
    ]
)
