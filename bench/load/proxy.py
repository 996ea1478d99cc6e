"""A round-robin load balancer with sticky sessions, for the load test (loopback only).

Like Cloud Run's session affinity: a browser without the affinity cookie is sent to the next
replica in turn and given a cookie naming it; with the cookie, every request (the page, its
static files, the websocket, cached messages, downloads) goes to the same replica.
``GET /_proxy/stats`` says how many sessions each replica was given. Built on what
Streamlit itself runs on (Starlette, uvicorn, httpx, websockets).

    python -m bench.load.proxy --port 8600 --backend http://127.0.0.1:8601 --backend ...
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
from typing import Any

import httpx
import uvicorn
import websockets
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

COOKIE = "ta_replica"
HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "content-encoding",
    "upgrade",
    "host",
}


class Balancer:
    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self._turn = itertools.cycle(range(len(backends)))
        self.sessions = [0] * len(backends)
        self.client = httpx.AsyncClient(timeout=120)

    def pick(self, cookies: dict[str, str]) -> tuple[int, bool]:
        """The replica for this browser: from its cookie, else the next in turn (new)."""
        raw = cookies.get(COOKIE, "")
        if raw.isdigit() and int(raw) < len(self.backends):
            return int(raw), False
        index = next(self._turn)
        self.sessions[index] += 1
        return index, True

    async def forward(self, request: Request) -> Response:
        index, new = self.pick(request.cookies)
        url = self.backends[index] + request.url.path
        if request.url.query:
            url += "?" + request.url.query
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP}
        upstream = await self.client.request(
            request.method, url, headers=headers, content=await request.body()
        )
        response = Response(upstream.content, status_code=upstream.status_code)
        for name, value in upstream.headers.multi_items():
            if name.lower() not in HOP:
                response.headers.append(name, value)
        if new:
            response.set_cookie(COOKIE, str(index), httponly=True)
        return response

    async def stream(self, ws: WebSocket) -> None:
        index, _ = self.pick(ws.cookies)
        offered = ws.headers.get("sec-websocket-protocol", "")
        await ws.accept(subprotocol="streamlit" if "streamlit" in offered else None)
        url = self.backends[index].replace("http", "ws", 1) + ws.url.path
        cookie = ws.headers.get("cookie", "")
        async with websockets.connect(
            url,
            subprotocols=[websockets.Subprotocol("streamlit")],
            additional_headers={"Cookie": cookie} if cookie else None,
            max_size=None,
        ) as upstream:
            await _pipe(ws, upstream)

    async def stats(self, request: Request) -> JSONResponse:
        return JSONResponse({"sessions": self.sessions})


async def _pipe(ws: WebSocket, upstream: Any) -> None:
    async def up() -> None:
        try:
            while True:
                message = await ws.receive()
                if message["type"] == "websocket.disconnect":
                    return
                data = message.get("bytes")
                await upstream.send(data if data is not None else message.get("text", ""))
        except WebSocketDisconnect:
            return

    async def down() -> None:
        async for message in upstream:
            if isinstance(message, bytes):
                await ws.send_bytes(message)
            else:
                await ws.send_text(message)

    tasks = [asyncio.ensure_future(up()), asyncio.ensure_future(down())]
    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in tasks:
        task.cancel()


def app(backends: list[str]) -> Starlette:
    balancer = Balancer(backends)
    methods = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"]
    return Starlette(
        routes=[
            Route("/_proxy/stats", balancer.stats),
            WebSocketRoute("/_stcore/stream", balancer.stream),
            Route("/{path:path}", balancer.forward, methods=methods),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--backend", action="append", required=True)
    args = parser.parse_args()
    uvicorn.run(app(args.backend), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
