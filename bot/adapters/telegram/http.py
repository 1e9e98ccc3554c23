"""PTB's HTTP layer on aiohttp: `AiohttpRequest`, a `telegram.request.BaseRequest` (PTB's documented extension point).

Why not PTB's default `HTTPXRequest`: under load httpcore's pool walks every kept-alive connection on every request
and asks each whether it has expired (a `getpeername` and a readability poll per connection), and its anyio layers
add their own per-call cost. With the pacer's 30-odd calls in flight that walk was a sixth of the bot's CPU in
`bench/telegram.py`. aiohttp keeps idle connections in a per-host stack and takes the top one; the Slack adapter
and the web server already use it, so it adds no dependency.

Same behaviour as `HTTPXRequest` where PTB relies on it: calls without files are posted form-encoded, calls with
files as multipart (the other parameters as fields beside them); PTB's read, connect and pool timeouts apply per
call (`read_timeout` includes getUpdates' long-poll time, PTB adds it; aiohttp has no write timeout); a timeout
raises `TimedOut`, any other transport failure `NetworkError`; proxies come from the environment (`HTTPS_PROXY`, as httpx reads them).
"""
from __future__ import annotations

import asyncio

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

DEFAULT_TIMEOUT = 5.0  # PTB's defaults for connect and read


class AiohttpRequest(BaseRequest):
    """One aiohttp session for one PTB `Bot` (or its getUpdates): `connections` kept-alive connections, a call
    waiting at most `pool_timeout` seconds for a free one."""

    def __init__(self, *, connections: int = 64, pool_timeout: float | None = 10.0,
                 read_timeout: float | None = DEFAULT_TIMEOUT, connect_timeout: float | None = DEFAULT_TIMEOUT,
                 ) -> None:
        self.connections = connections
        self._timeouts = {"read": read_timeout, "connect": connect_timeout, "pool": pool_timeout}
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts["read"]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.connections), trust_env=True,
                headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=BaseRequest.DEFAULT_NONE, write_timeout=BaseRequest.DEFAULT_NONE,
                         connect_timeout=BaseRequest.DEFAULT_NONE, pool_timeout=BaseRequest.DEFAULT_NONE,
                         ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data and request_data.contains_files else None
        fields = request_data.json_parameters if request_data else None
        timeout = self._timeout(read_timeout, connect_timeout, pool_timeout)
        try:
            async with self._session.request(method, url, data=_body(fields, files), timeout=timeout) as response:
                return response.status, await response.read()
        except asyncio.TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            # Some aiohttp errors quote the URL, and a Bot API URL holds the token: never let it reach a log.
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {str(err).replace(url, '<Bot API URL>')}") from None

    def _timeout(self, read, connect, pool) -> aiohttp.ClientTimeout:
        def given(value, name: str):
            return self._timeouts[name] if isinstance(value, type(BaseRequest.DEFAULT_NONE)) else value

        # `connect` in aiohttp is the wait for a pooled connection plus making a new one; `sock_read` is the answer's
        # silence allowed once the request is written (aiohttp has no write timeout: an upload is bounded by the
        # server's read of it).
        return aiohttp.ClientTimeout(total=None, connect=given(pool, "pool"), sock_connect=given(connect, "connect"),
                                     sock_read=given(read, "read"))


def _body(fields: dict[str, str] | None, files: dict | None):
    if not files:
        return fields or None  # form-encoded, as PTB's HTTPXRequest posts it
    form = aiohttp.FormData()
    for name, value in (fields or {}).items():
        form.add_field(name, value)
    for name, (filename, content, mime) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime)
    return form
