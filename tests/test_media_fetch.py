"""Fetching a medium by https:// URL (storage/blobs/fetch.py) against a real local https server with a certificate
made here. Loopback is refused by default, so the happy paths pass a test-only `allow_address` that admits
127.0.0.1 (and nothing else private); every refusal is checked to happen before any request reaches a server."""
from __future__ import annotations

import asyncio
import datetime
import gzip
import ipaddress
import socket
import ssl
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bot.i18n.catalog import default_catalogs
from storage.blobs.fetch import (MAX_REDIRECTS, FetchError, FetchTimeout, HttpStatus, NotHttps, PrivateAddress,
                                 TooBig, TooManyRedirects, Unreachable, fetch_https, is_public_address)

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16
NAMES = ["localhost", "media.test", "mixed.test", "private.test"]


def loopback_too(ip) -> bool:
    """Test-only: the public internet plus 127.0.0.1, where the test server listens."""
    return ip == ipaddress.ip_address("127.0.0.1") or is_public_address(ip)


class StaticResolver(AbstractResolver):
    """DNS as the test says: host → addresses."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    async def resolve(self, host, port=0, family=socket.AF_INET):
        self.asked.append(host)
        if host not in self.answers:
            raise OSError(f"no such host {host}")
        return [{"hostname": host, "host": ip, "port": port, "family": socket.AF_INET6 if ":" in ip else
                 socket.AF_INET, "proto": 0, "flags": socket.AI_NUMERICHOST} for ip in self.answers[host]]

    async def close(self) -> None:
        return None


RESOLVER_ANSWERS = {"media.test": ["127.0.0.1"], "private.test": ["192.168.1.20"],
                    "mixed.test": ["127.0.0.2", "127.0.0.1"]}


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for the test names and 127.0.0.1: (certificate file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "panelist test media")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(
                [x509.DNSName(n) for n in NAMES] + [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@pytest.fixture
def trusting(certificate) -> ssl.SSLContext:
    """A client context that trusts the test certificate (and checks host names as usual)."""
    return ssl.create_default_context(cafile=str(certificate[0]))


class Server:
    def __init__(self) -> None:
        self.hits: list[str] = []
        self.base = ""  # https://127.0.0.1:PORT
        self.redirect_to = ""
        self.release = asyncio.Event()  # set at shutdown: stalling handlers end (else cleanup waits for them)


SERVER = web.AppKey("server", Server)


@asynccontextmanager
async def https_server(certificate, routes: dict, host: str = "127.0.0.1", port: int = 0):
    server = Server()

    @web.middleware
    async def count(request, handler):
        server.hits.append(request.path)
        return await handler(request)

    app = web.Application(middlewares=[count])
    app[SERVER] = server
    for path, handler in routes.items():
        app.router.add_get(path, handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, host, port, ssl_context=context)
    await site.start()
    server.base = f"https://{host}:{site._server.sockets[0].getsockname()[1]}"
    try:
        yield server
    finally:
        server.release.set()
        await runner.cleanup()


async def picture(request):
    return web.Response(body=PNG, content_type="image/png")


async def hop(request):
    """/hop/N redirects to /hop/N-1 (relative), /hop/0 to the picture."""
    left = int(request.match_info["left"])
    raise web.HTTPFound(f"/hop/{left - 1}" if left else "/picture.png")


async def redirect_elsewhere(request):
    raise web.HTTPFound(request.app[SERVER].redirect_to)


async def streamed(request):
    """No Content-Length: the size is known only by reading."""
    response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    for _ in range(64):
        await response.write(b"x" * 1024)
    await response.write_eof()
    return response


async def bomb(request):
    """200 bytes on the wire, 10 MB once aiohttp decompresses them."""
    body = gzip.compress(b"\0" * (10 * 1024 * 1024))
    return web.Response(body=body, headers={"Content-Encoding": "gzip", "Content-Type": "image/png"})


async def stall(request):
    await request.app[SERVER].release.wait()
    return web.Response(status=503)


async def stall_after_headers(request):
    response = web.StreamResponse(headers={"Content-Length": "1000", "Content-Type": "image/png"})
    await response.prepare(request)
    await response.write(b"x" * 10)
    await request.app[SERVER].release.wait()
    return response


async def gone(request):
    raise web.HTTPNotFound()


ROUTES = {"/picture.png": picture, "/hop/{left}": hop, "/elsewhere": redirect_elsewhere, "/streamed": streamed,
          "/bomb": bomb, "/stall": stall, "/stall-after-headers": stall_after_headers, "/gone": gone}


@pytest.fixture
async def server(certificate):
    async with https_server(certificate, ROUTES) as running:
        yield running


async def fetch(url, trusting, **options):
    options.setdefault("max_bytes", 1024 * 1024)
    options.setdefault("timeout", 30)
    options.setdefault("allow_address", loopback_too)
    options.setdefault("resolver", StaticResolver(RESOLVER_ANSWERS))
    return await fetch_https(url, ssl=trusting, **options)


# --- what is fetched -------------------------------------------------------------------------------------------------

async def test_fetches_bytes_and_type_from_an_allowed_address(server, trusting):
    assert await fetch(f"{server.base}/picture.png", trusting) == (PNG, "image/png")


async def test_a_host_name_is_resolved_vetted_and_checked_against_the_certificate(server, trusting):
    port = server.base.rsplit(":", 1)[1]
    resolver = StaticResolver(RESOLVER_ANSWERS)
    assert await fetch(f"https://media.test:{port}/picture.png", trusting, resolver=resolver) == (PNG, "image/png")
    assert resolver.asked == ["media.test"]


async def test_only_vetted_addresses_are_connected_to(server, trusting, certificate):
    # mixed.test answers 127.0.0.2 first (loopback, which the predicate does not admit), where a decoy listens on
    # the same port: only 127.0.0.1 may be handed to the connection.
    port = int(server.base.rsplit(":", 1)[1])

    async def decoy_picture(request):
        return web.Response(body=b"decoy", content_type="image/png")

    async with https_server(certificate, {"/picture.png": decoy_picture}, "127.0.0.2", port) as decoy:
        assert await fetch(f"https://mixed.test:{port}/picture.png", trusting) == (PNG, "image/png")
    assert decoy.hits == []


async def test_redirects_are_followed_up_to_the_limit(server, trusting):
    assert await fetch(f"{server.base}/hop/{MAX_REDIRECTS - 1}", trusting) == (PNG, "image/png")
    with pytest.raises(TooManyRedirects) as caught:
        await fetch(f"{server.base}/hop/{MAX_REDIRECTS}", trusting)
    assert caught.value.code == "too_many_redirects"


async def test_a_body_of_exactly_the_limit_is_fetched(server, trusting):
    assert (await fetch(f"{server.base}/picture.png", trusting, max_bytes=len(PNG)))[0] == PNG


# --- what is refused, before anything reaches a server ----------------------------------------------------------------

async def test_loopback_is_refused_by_default(server, trusting):
    with pytest.raises(PrivateAddress) as caught:
        await fetch(f"{server.base}/picture.png", trusting, allow_address=None)
    assert caught.value.code == "private_address"
    port = server.base.rsplit(":", 1)[1]
    with pytest.raises(PrivateAddress):  # by name: the resolver's answer is vetted too
        await fetch(f"https://media.test:{port}/picture.png", trusting, allow_address=None)
    assert server.hits == []


@pytest.mark.parametrize("url", [
    "https://10.1.2.3/x.png", "https://169.254.169.254/latest/meta-data/", "https://[::1]/x.png",
    "https://[::ffff:192.168.0.1]/x.png", "https://[fe80::1]/x.png", "https://0.0.0.0/x.png",
    "https://private.test/x.png", "https://100.64.0.1/x.png",
])
async def test_private_addresses_are_refused(url, trusting):
    with pytest.raises(PrivateAddress):
        await fetch(url, trusting, allow_address=None, timeout=5)


@pytest.mark.parametrize("url", ["http://127.0.0.1/x.png", "ftp://example.com/x.png", "file:///etc/passwd",
                                 "https:///no-host", "example.com/x.png", "", "javascript:alert(1)"])
async def test_only_https_is_fetched(url, trusting):
    with pytest.raises(NotHttps) as caught:
        await fetch(url, trusting)
    assert caught.value.code == "not_https"


@pytest.mark.parametrize("target", [
    "https://10.0.0.1/secret", "https://169.254.169.254/latest/meta-data/", "https://private.test/x.png",
    "https://[::ffff:10.0.0.1]/x",
])
async def test_a_redirect_to_a_private_address_is_refused(server, trusting, target):
    server.redirect_to = target
    with pytest.raises(PrivateAddress):
        await fetch(f"{server.base}/elsewhere", trusting, timeout=5)
    assert server.hits == ["/elsewhere"]


async def test_a_redirect_to_http_is_refused(server, trusting):
    server.redirect_to = f"{server.base.replace('https:', 'http:')}/picture.png"
    with pytest.raises(NotHttps):
        await fetch(f"{server.base}/elsewhere", trusting)
    assert server.hits == ["/elsewhere"]


async def test_a_declared_size_over_the_limit_is_refused(server, trusting):
    with pytest.raises(TooBig) as caught:
        await fetch(f"{server.base}/picture.png", trusting, max_bytes=len(PNG) - 1)
    assert caught.value.code == "too_big" and caught.value.limit == len(PNG) - 1


async def test_a_streamed_body_over_the_limit_is_refused(server, trusting):
    assert len((await fetch(f"{server.base}/streamed", trusting, max_bytes=64 * 1024))[0]) == 64 * 1024
    with pytest.raises(TooBig):
        await fetch(f"{server.base}/streamed", trusting, max_bytes=64 * 1024 - 1)


async def test_a_decompression_bomb_is_refused_by_its_decompressed_size(server, trusting):
    with pytest.raises(TooBig):
        await fetch(f"{server.base}/bomb", trusting, max_bytes=1024 * 1024)


async def test_an_error_status_is_reported(server, trusting):
    with pytest.raises(HttpStatus) as caught:
        await fetch(f"{server.base}/gone", trusting)
    assert (caught.value.code, caught.value.status) == ("http_status", 404)


@pytest.mark.parametrize("path", ["/stall", "/stall-after-headers"])
async def test_a_server_that_does_not_finish_times_out(server, trusting, path):
    with pytest.raises(FetchTimeout) as caught:
        await fetch(f"{server.base}{path}", trusting, timeout=0.5)
    assert caught.value.code == "timeout"


async def test_a_closed_port_is_unreachable(trusting):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(Unreachable) as caught:
        await fetch(f"https://127.0.0.1:{port}/x.png", trusting)
    assert caught.value.code == "unreachable"


async def test_an_unknown_host_is_unreachable(trusting):
    with pytest.raises(Unreachable):
        await fetch("https://nowhere.test/x.png", trusting)


async def test_a_certificate_nobody_vouches_for_is_unreachable(server):
    with pytest.raises(Unreachable):
        await fetch_https(f"{server.base}/picture.png", max_bytes=1024 * 1024, timeout=30,
                          allow_address=loopback_too)


# --- the addresses themselves ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("address, public", [
    ("8.8.8.8", True), ("2606:4700::1111", True), ("::ffff:8.8.8.8", True),
    ("127.0.0.1", False), ("127.8.9.10", False), ("::1", False),  # loopback
    ("10.0.0.1", False), ("172.16.5.4", False), ("192.168.1.1", False), ("fc00::1", False),  # private
    ("169.254.169.254", False), ("fe80::1", False),  # link-local (the cloud's metadata service)
    ("224.0.0.251", False), ("ff02::1", False),  # multicast
    ("240.0.0.1", False), ("0.0.0.0", False), ("::", False),  # reserved, unspecified
    ("100.64.0.1", False), ("192.0.2.10", False),  # shared (CGNAT), documentation
    ("::ffff:127.0.0.1", False), ("::ffff:10.0.0.1", False),  # IPv4-mapped
    ("64:ff9b::a00:1", False), ("2002:a00:1::", False),  # NAT64 and 6to4 forms of 10.0.0.1
])
def test_is_public_address(address, public):
    assert is_public_address(ipaddress.ip_address(address)) is public


# --- what a person reads ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("error", [
    NotHttps("http://user:pass@example.com/a.png?sig=SECRET"),
    PrivateAddress("https://user:pass@example.com/a.png?sig=SECRET"),
    TooBig("https://example.com/a.png?sig=SECRET", 20 * 1024 * 1024),
    HttpStatus("https://example.com/a.png?sig=SECRET", 403),
    FetchTimeout("https://example.com/a.png?sig=SECRET", 30),
    Unreachable("https://example.com/a.png?sig=SECRET"),
    TooManyRedirects("https://example.com/a.png?sig=SECRET"),
])
@pytest.mark.parametrize("locale", ["en", "es"])
def test_every_refusal_reads_clearly_without_credentials(error: FetchError, locale):
    text = default_catalogs().render(error.problem, locale)
    assert text.startswith(("http://example.com/a.png: ", "https://example.com/a.png: "))
    assert "SECRET" not in text and "pass" not in text and "{" not in text
    assert "SECRET" not in str(error) and "pass" not in str(error)
