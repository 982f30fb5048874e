"""What fetching must refuse: internal addresses (SSRF) and XML that expands entities.

**SSRF.** A feed or page URL comes from users, OPML files, feed discovery and redirects; any of
them may point at the machine itself (``127.0.0.1``), its network (``10.0.0.0/8``,
``192.168.0.0/16``), a cloud metadata service (``169.254.169.254``) or another address that is
not on the public internet. ``GuardedBackend`` is the network layer under the HTTP client: it
resolves each host when a connection is opened (every redirect opens its own), refuses the
connection when *any* of the host's addresses is not public, and connects to the very address
it checked, so a DNS answer that changes between a check and the connection (DNS rebinding)
cannot slip through. Hosts named in the ``fetch_allowed_hosts`` setting are exempt (the tests
use it for their server on 127.0.0.1).

**XML entities.** A feed with a DTD that declares entities can expand a few hundred bytes
into gigabytes ("billion laughs") or pull in local files and URLs (XXE). ``check_xml`` parses
the document with ``defusedxml`` first and refuses any entity declaration or external
reference; a plain ``<!DOCTYPE rss PUBLIC ...>`` (old RSS 0.91 feeds) is allowed.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpcore

from storyline.errors import FetchError, UnsafeURLError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def allowed_set(hosts: str | Iterable[str]) -> frozenset[str]:
    """Normalised host names and addresses from the setting's comma-separated text."""
    items = hosts.split(",") if isinstance(hosts, str) else hosts
    return frozenset(h for h in (_norm_host(x) for x in items) if h)


def _norm_host(host: str) -> str:
    host = host.strip().lower().strip("[]").rstrip(".")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host


def is_public(address: IPAddress) -> bool:
    """Whether ``address`` is on the public internet: not loopback, private, link-local
    (``169.254.169.254``), shared (``100.64.0.0/10``), reserved, unspecified or multicast,
    looking inside IPv4-mapped, 6to4 and NAT64 IPv6 addresses."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and address in _NAT64:
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None:
            return is_public(inner)
    return address.is_global and not address.is_multicast


def check_url(url: str) -> None:
    """Refuse a URL that is not ``http(s)://host...`` (no ``file:``, ``ftp:``, no empty host);
    where it leads is checked when the connection is opened (``GuardedBackend``)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise FetchError(url, f"not a valid URL: {exc}") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchError(url, f"only http and https URLs are fetched, not {parts.scheme!r}")
    if not parts.hostname:
        raise FetchError(url, "the URL has no host")


async def resolve_public(host: str, port: int, *, allowed: frozenset[str]) -> list[str]:
    """The addresses to connect to for ``host``: all of them, after checking that every one
    is public (``UnsafeURLError`` otherwise), unless the host (the name or address the URL
    gives) is allowed. Allowing ``127.0.0.1`` does not allow ``localhost``."""
    name = _norm_host(host)
    try:
        infos = await anyio.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise FetchError(host, f"cannot resolve host: {exc}", transient=True) from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise FetchError(host, "the host has no address", transient=True)
    if name in allowed:
        return addresses
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])  # fe80::1%eth0
        if not is_public(address):
            raise UnsafeURLError(host, f"refused: {host} resolves to {address}, which is not a"
                                 " public address (add the host to fetch_allowed_hosts to"
                                 " allow it)")
    return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to checked public addresses."""

    def __init__(self, allowed: frozenset[str], inner: httpcore.AsyncNetworkBackend | None = None
                 ) -> None:  # fmt: skip
        self.allowed = allowed
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None, socket_options: Any = None,
                          ) -> httpcore.AsyncNetworkStream:  # fmt: skip
        addresses = await resolve_public(host, port, allowed=self.allowed)
        last: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(address, port, timeout=timeout,
                                                    local_address=local_address,
                                                    socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Any = None) -> httpcore.AsyncNetworkStream:
        raise UnsafeURLError(path, "refused: Unix sockets are never fetched")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def check_xml(data: bytes, *, source: str) -> None:
    """Refuse XML that declares entities or refers to external ones (billion laughs, XXE):
    ``FetchError`` naming ``source``. XML that is merely malformed passes: the feed parser
    reads broken feeds leniently and expands no entities of its own."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise FetchError(source, f"refused: the XML declares entities or external references"
                         f" ({type(exc).__name__})") from exc
    except (ParseError, ValueError) as exc:
        # Malformed: expat stopped at the first error, which may lie before an entity
        # declaration it never saw. The lenient parser downstream expands no declared entity,
        # but a declaration in a broken document is refused all the same.
        text = data.decode("utf-16", "ignore") if data[:2] in (b"\xff\xfe", b"\xfe\xff") \
            else data.decode("latin-1")
        if _ENTITY_DECL.search(text):
            raise FetchError(source, "refused: the XML declares entities") from exc


_ENTITY_DECL = re.compile(r"<!\s*ENTITY", re.IGNORECASE)
