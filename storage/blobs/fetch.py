"""Fetch a medium a task file names by `https://` URL, without letting the file reach into our own network.

A task file is untrusted input: a URL in it may name loopback, the cloud's metadata service (169.254.169.254), a
private range, or a public host whose DNS answers with one of those. So: https only; every address is vetted
(`is_public_address`) and the connection goes to the vetted address itself (aiohttp asks our resolver, which
returns only vetted addresses, so DNS cannot answer differently between the check and the connect); at most
`MAX_REDIRECTS` redirects, each vetted again and https only; the body is streamed under a size cap (decompressed
bytes count), and the whole fetch under one deadline.

Each refusal is a `FetchError` subclass with a stable `code` and a catalog message (`problem`), so the importer
reports it by line like any other bad line.
"""
from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl as ssl_module
from collections.abc import Callable
from typing import ClassVar

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from bot.i18n.text import Msg, msg

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressPredicate = Callable[[IPAddress], bool]

MAX_REDIRECTS = 3
_REDIRECTS = {301, 302, 303, 307, 308}
_READ_BYTES = 64 * 1024
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class FetchError(Exception):
    """A URL refused or a fetch that failed; `code` is stable, `url` is shown without credentials or query."""

    code: ClassVar[str] = "fetch_error"

    def __init__(self, url: str | URL, detail: str = "") -> None:
        self.url = shown_url(url)
        self.detail = detail
        super().__init__(f"{self.code}: {self.url}" + (f" ({detail})" if detail else ""))

    @property
    def problem(self) -> Msg:
        """What a person reads (the importer puts it on the line of the task file)."""
        raise NotImplementedError


class NotHttps(FetchError):
    code = "not_https"

    @property
    def problem(self) -> Msg:
        return msg("media.fetch.not_https", url=self.url)


class PrivateAddress(FetchError):
    code = "private_address"

    @property
    def problem(self) -> Msg:
        return msg("media.fetch.private_address", url=self.url)


class TooBig(FetchError):
    code = "too_big"

    def __init__(self, url: str | URL, limit: int) -> None:
        self.limit = limit
        super().__init__(url, f"more than {limit} bytes")

    @property
    def problem(self) -> Msg:
        return msg("media.fetch.too_big", url=self.url, limit=_mebibytes(self.limit))


class HttpStatus(FetchError):
    code = "http_status"

    def __init__(self, url: str | URL, status: int) -> None:
        self.status = status
        super().__init__(url, f"HTTP {status}")

    @property
    def problem(self) -> Msg:
        return msg("media.fetch.http_status", url=self.url, status=str(self.status))


class FetchTimeout(FetchError):
    code = "timeout"

    def __init__(self, url: str | URL, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(url, f"no complete answer within {seconds:g} s")

    @property
    def problem(self) -> Msg:
        return msg("media.fetch.timeout", url=self.url, seconds=f"{self.seconds:g}")


class Unreachable(FetchError):
    code = "unreachable"

    @property
    def problem(self) -> Msg:
        return msg("media.fetch.unreachable", url=self.url)


class TooManyRedirects(FetchError):
    code = "too_many_redirects"

    @property
    def problem(self) -> Msg:
        return msg("media.fetch.too_many_redirects", url=self.url)


def shown_url(url: str | URL) -> str:
    """The URL as we show it back: no user, password, query or fragment (a signed URL's query is a credential)."""
    try:
        parsed = URL(str(url))
        return str(parsed.with_user(None).with_query(None).with_fragment(None))
    except (ValueError, TypeError):
        return "<not a URL>"


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries to the same host (mapped, NAT64, 6to4, Teredo), if any."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def is_public_address(ip: IPAddress) -> bool:
    """An address on the public internet: not loopback, link-local, private, shared (CGNAT), multicast, reserved
    or unspecified, and not an IPv6 form of such an IPv4 address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return is_public_address(ip.ipv4_mapped)  # the IPv4 address itself, only written as IPv6
    inner = _embedded_ipv4(ip)
    if inner is not None and not is_public_address(inner):
        return False
    return ip.is_global and not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
                                 or ip.is_reserved or ip.is_unspecified
                                 or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local))


class _VettedResolver(AbstractResolver):
    """Resolves through `inner` and hands aiohttp only the addresses `allow` accepts: what was vetted is what is
    connected to. None accepted: `PrivateAddress` (not an OSError, so aiohttp passes it through unwrapped)."""

    def __init__(self, inner: AbstractResolver, allow: AddressPredicate) -> None:
        self.inner, self.allow = inner, allow
        self.url: URL | None = None  # the URL being fetched, for the error

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        found = await self.inner.resolve(host, port, family)
        vetted = [entry for entry in found if self.allow(ipaddress.ip_address(entry["host"].split("%")[0]))]
        if not vetted:
            raise PrivateAddress(self.url or host, f"{host} resolves only to non-public addresses")
        return vetted

    async def close(self) -> None:
        await self.inner.close()


def _literal_address(url: URL) -> IPAddress | None:
    try:
        return ipaddress.ip_address((url.host or "").strip("[]").split("%")[0])
    except ValueError:
        return None


def _vet_url(url: URL, allow: AddressPredicate) -> None:
    if url.scheme != "https" or not url.host:
        raise NotHttps(url)
    literal = _literal_address(url)  # aiohttp connects to an IP literal without asking the resolver
    if literal is not None and not allow(literal):
        raise PrivateAddress(url, "not a public address")


async def fetch_https(url: str, *, max_bytes: int, timeout: float, resolver: AbstractResolver | None = None,
                      allow_address: AddressPredicate | None = None,
                      ssl: ssl_module.SSLContext | None = None) -> tuple[bytes, str]:
    """The body and MIME type (without parameters) at `url`, or a `FetchError` saying why not.

    `resolver` is aiohttp's (default: the system's, in a thread); `allow_address` replaces `is_public_address`
    (tests use it to reach a loopback server); `ssl` replaces the default certificate checks (tests trust their
    own certificate with it)."""
    allow = allow_address or is_public_address
    try:
        current = URL(url)
    except (ValueError, TypeError):
        raise NotHttps(url, "not a URL") from None
    _vet_url(current, allow)
    vetted = _VettedResolver(resolver or aiohttp.ThreadedResolver(), allow)
    # No DNS cache (every connection is resolved, and vetted, anew); no proxies from the environment.
    connector = aiohttp.TCPConnector(resolver=vetted, use_dns_cache=False, ssl=ssl if ssl is not None else True)
    try:
        async with asyncio.timeout(timeout):
            async with aiohttp.ClientSession(connector=connector, trust_env=False, cookie_jar=aiohttp.DummyCookieJar(),
                                             auto_decompress=True) as session:
                for hop in range(MAX_REDIRECTS + 1):
                    vetted.url = current
                    async with session.get(current, allow_redirects=False) as response:
                        if response.status in _REDIRECTS and "Location" in response.headers:
                            if hop == MAX_REDIRECTS:
                                raise TooManyRedirects(url, f"more than {MAX_REDIRECTS} redirects")
                            current = current.join(URL(response.headers["Location"]))
                            _vet_url(current, allow)
                            continue
                        if response.status != 200:
                            raise HttpStatus(current, response.status)
                        return await _body(response, current, max_bytes), response.content_type
    except FetchError:
        raise
    except TimeoutError:
        raise FetchTimeout(current, timeout) from None
    except aiohttp.InvalidURL as err:
        raise NotHttps(current, type(err).__name__) from None
    except (aiohttp.ClientError, OSError) as err:
        raise Unreachable(current, f"{type(err).__name__}: {err}") from None
    raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover


async def _body(response: aiohttp.ClientResponse, url: URL, max_bytes: int) -> bytes:
    declared = response.content_length
    if declared is not None and declared > max_bytes:
        raise TooBig(url, max_bytes)
    received = bytearray()
    async for piece in response.content.iter_chunked(_READ_BYTES):
        received += piece
        if len(received) > max_bytes:
            raise TooBig(url, max_bytes)
    return bytes(received)


def _mebibytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"
