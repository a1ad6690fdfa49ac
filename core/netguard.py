"""Outbound requests to URLs our users give us (webhook callbacks) reach only the public
internet.

A callback URL is checked twice: when it is saved (a clear message for the form or the
API) and again when it is sent, because a name can resolve elsewhere by then (DNS
rebinding). At send time every A/AAAA record must be public and the connection goes to one
of those very addresses (pinned), with the original Host header and TLS server name, so
no second lookup can slip an internal address in between the check and the connect.

Refused (with `allow_private=False`, the production default):
- schemes other than http/https, credentials in the URL, ports other than 80, 443 and
  1024-65535 (a webhook receiver is never SSH on 22 or SMTP on 25; the high range stays
  open because receivers often listen on 8080, 8443 and such);
- addresses that are not public: loopback, private (RFC 1918), shared/CGNAT, link-local
  (169.254.169.254), unique-local IPv6 (fd00:ec2::254), unspecified (0.0.0.0, ::),
  multicast, documentation, benchmarking and reserved ranges, and IPv6 forms that embed
  one of those IPv4 addresses (IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible, 6to4, NAT64);
- IPv4 addresses in other spellings (2130706433, 0x7f.1, 0177.0.0.1, 127.1): the URL
  standard and the C resolver read them as addresses, so they would dodge a check
  written for dotted quads;
- internal host names: localhost and *.localhost, single-label names (`metadata`,
  `redis`, a compose service), *.internal (metadata.google.internal), *.local,
  *.localdomain, *.home.arpa;
- names that resolve to any refused address (all records are checked).

`allow_private=True` (local development and the tests) lets loopback, private and
internal names through, and any port; cloud metadata endpoints stay refused even then.

At save time a name that does not resolve (yet) is accepted: DNS may not be set up
before the receiver is, and the send-time check refuses it then if it is still unknown.

No Django here: this module is plain standard library.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

PUBLIC_MESSAGE = "Webhook URLs must point at a public internet address"

# host, port -> the addresses it resolves to (strings). Injected by tests.
Resolver = Callable[[str, int], Sequence[str]]

_ALLOWED_PORTS = {80, 443}
_LOWEST_HIGH_PORT = 1024
# Addresses and names of cloud instance-metadata services: never a webhook receiver,
# refused even when private targets are allowed.
_METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack, DigitalOcean
    ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
    ipaddress.ip_address("fd00:ec2::254"),  # AWS IMDS over IPv6
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
}
_METADATA_NAMES = {"metadata", "metadata.google.internal", "instance-data", "instance-data.ec2.internal"}
_INTERNAL_SUFFIXES = (".localhost", ".internal", ".local", ".localdomain", ".home.arpa")
# What the URL standard reads as an IPv4 number when it is the last label of a host.
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")

_SHARED = ipaddress.ip_network("100.64.0.0/10")
_BENCHMARK = ipaddress.ip_network("198.18.0.0/15")
_DOCUMENTATION = tuple(
    ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
)
_RFC1918 = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeTarget(ValueError):
    """The URL may not be requested; the message says why, in words for the person who
    entered it. A ValueError so that callers that record "could not send" catch it."""


@dataclass(frozen=True)
class Target:
    """Where to send: the URL's parts plus the checked addresses to connect to."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def address_class(address: IPAddress) -> str | None:
    """None for a public unicast address; otherwise what it is ("a private address")."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            inner = address_class(embedded)
            return f"an IPv6 form of {embedded}, {inner}" if inner else None
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if isinstance(address, ipaddress.IPv4Address):
        if any(address in net for net in _RFC1918):
            return "a private address"
        if address in _SHARED:
            return "a shared (carrier-grade NAT) address"
        if address in _BENCHMARK:
            return "a benchmarking address"
    elif address in _UNIQUE_LOCAL:
        return "a unique-local address"
    if any(address.version == net.version and address in net for net in _DOCUMENTATION):
        return "a documentation address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private or not address.is_global:
        return "a special-purpose address"
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, when it is one of the forms that reach
    an IPv4 host (a dual-stack socket, a 6to4 relay or a NAT64 gateway)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _is_metadata(address: IPAddress) -> bool:
    embedded = _embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
    return address in _METADATA_ADDRESSES or (embedded is not None and embedded in _METADATA_ADDRESSES)


def _refusal(shown: str, what: str) -> str:
    return f"{PUBLIC_MESSAGE}; {shown} is {what}."


def _address_problem(address: IPAddress, *, allow_private: bool) -> str | None:
    """What makes the address unusable ("a private address"), or None."""
    if _is_metadata(address):
        return "a cloud metadata address"
    if allow_private:
        return None
    return address_class(address)


def _parse(url: str, *, allow_private: bool) -> tuple[Target, IPAddress | None] | str:
    """The URL's target (without addresses yet) and its literal address if it has one,
    or the reason it is refused before any lookup."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "The callback URL is not a valid URL."
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "The callback URL must be an http:// or https:// URL with a host."
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return "The callback URL must not contain credentials."
    if port is not None and not allow_private and port not in _ALLOWED_PORTS and port < _LOWEST_HIGH_PORT:
        return f"Webhook URLs may use port 80, 443 or 1024-65535; port {port} is not allowed."
    if port == 0:
        return "The callback URL is not a valid URL."
    host = parts.hostname.rstrip(".")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return "The callback URL's host name is not valid."
    if not host:
        return "The callback URL must be an http:// or https:// URL with a host."
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    target = Target(
        scheme=parts.scheme,
        host=host,
        port=port or (443 if parts.scheme == "https" else 80),
        path=path,
        addresses=(),
    )
    try:
        literal = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        literal = None
    if literal is not None:
        if "%" in host:
            return _refusal(host, "a link-local address")
        what = _address_problem(literal, allow_private=allow_private)
        return _refusal(str(literal), what) if what else (target, literal)
    last_label = host.rsplit(".", 1)[-1]
    if _NUMERIC_LABEL.match(last_label) or _inet_aton_accepts(host):
        return (
            f"{PUBLIC_MESSAGE}; {host} is an IP address in an unusual spelling: "
            "write IPv4 addresses as four decimal numbers (like 203.0.113.7)."
        )
    if host in _METADATA_NAMES:
        return _refusal(host, "a cloud metadata host")
    if not allow_private and (host == "localhost" or "." not in host or host.endswith(_INTERNAL_SUFFIXES)):
        return _refusal(host, "an internal host name")
    return target, None


def _inet_aton_accepts(host: str) -> bool:
    try:
        socket.inet_aton(host)
    except OSError:
        return False
    return True


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for host (A and AAAA), in its order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = str(sockaddr[0])
        if address not in seen:
            seen.append(address)
    return seen


def _resolve_checked(target: Target, *, allow_private: bool, resolver: Resolver | None) -> tuple[str, ...] | str | None:
    """The host's addresses when all of them may be used, a refusal, or None when the name
    does not resolve."""
    resolve = resolver or system_resolver
    try:
        found = list(resolve(target.host, target.port))
    except (OSError, UnicodeError):
        return None
    if not found:
        return None
    for raw in found:
        try:
            address = ipaddress.ip_address(raw.split("%", 1)[0])
        except ValueError:
            return f"{PUBLIC_MESSAGE}; {target.host} resolves to {raw!r}, which is not an IP address."
        what = _address_problem(address, allow_private=allow_private)
        if what:
            return f"{PUBLIC_MESSAGE}; {target.host} resolves to {address}, {what}."
    return tuple(found)


def public_address_error(url: str, *, allow_private: bool, resolver: Resolver | None = None) -> str | None:
    """Why url may not receive webhooks, or None. Resolves host names (all records must be
    public); a name that does not resolve now is accepted and checked again when sent."""
    parsed = _parse(url, allow_private=allow_private)
    if isinstance(parsed, str):
        return parsed
    target, literal = parsed
    if literal is not None:
        return None
    checked = _resolve_checked(target, allow_private=allow_private, resolver=resolver)
    return checked if isinstance(checked, str) else None


def resolve_public_target(url: str, *, allow_private: bool, resolver: Resolver | None = None) -> Target:
    """The target to connect to, with the checked addresses pinned; raises UnsafeTarget."""
    parsed = _parse(url, allow_private=allow_private)
    if isinstance(parsed, str):
        raise UnsafeTarget(parsed)
    target, literal = parsed
    if literal is not None:
        return Target(**{**target.__dict__, "addresses": (str(literal),)})
    checked = _resolve_checked(target, allow_private=allow_private, resolver=resolver)
    if checked is None:
        raise UnsafeTarget(f"The host {target.host} could not be found (DNS).")
    if isinstance(checked, str):
        raise UnsafeTarget(checked)
    return Target(**{**target.__dict__, "addresses": checked})


# --- connecting to the pinned address ------------------------------------------------------


def _connect_pinned(addresses: Sequence[str], port: int, timeout: float | None) -> socket.socket:
    """A TCP connection to the first of the checked addresses that answers."""
    last: OSError | None = None
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout=timeout)
        except OSError as exc:
            last = exc
    raise last or OSError("no address to connect to")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._addresses = target.addresses

    def connect(self) -> None:
        self.sock = _connect_pinned(self._addresses, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float, context: ssl.SSLContext | None) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=context)
        self._addresses = target.addresses

    def connect(self) -> None:
        raw = _connect_pinned(self._addresses, self.port, self.timeout)
        # The certificate is checked against the URL's host name, sent as SNI. _context is
        # the one HTTPSConnection set up (ALPN included); typeshed does not declare it.
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def post_pinned(
    target: Target,
    *,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    ssl_context: ssl.SSLContext | None = None,
) -> tuple[int, str]:
    """POST body to the target's pinned address; (status, first KiB of the answer).
    Redirects are answers like any other: they are not followed."""
    if target.scheme == "https":
        connection: http.client.HTTPConnection = _PinnedHTTPSConnection(target, timeout, ssl_context)
    else:
        connection = _PinnedHTTPConnection(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers={**headers, "Connection": "close"})
        response = connection.getresponse()
        return response.status, response.read(1024).decode("utf-8", "replace")
    finally:
        connection.close()
