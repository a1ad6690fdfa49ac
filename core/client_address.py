"""The client's address, trusting exactly as many reverse proxies as the operator says.

With no proxy configured, X-Forwarded-For is ignored: anyone can send that header, and
trusting it would let a client pick a fresh address for every attempt at a rate limit.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

# Headers a proxy adds: their presence means the TCP peer is not the client.
_FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


def client_address(request: HttpRequest) -> str:
    """The address the request came from: REMOTE_ADDR, or with CONTENTIZER_NUM_PROXIES = n
    the n-th address from the right of X-Forwarded-For (each proxy appends its peer)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.CONTENTIZER_NUM_PROXIES
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if not hops:
        return remote
    return hops[-min(proxies, len(hops))]


def is_direct_loopback(request: HttpRequest) -> bool:
    """The request comes straight from this machine: the peer is loopback and no proxy
    header says it is relaying someone else (nginx on the same host is loopback too)."""
    if any(request.META.get(header) for header in _FORWARDING_HEADERS):
        return False
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    # A dual-stack listener reports IPv4 peers as ::ffff:127.0.0.1.
    mapped = getattr(peer, "ipv4_mapped", None)
    return (mapped or peer).is_loopback
