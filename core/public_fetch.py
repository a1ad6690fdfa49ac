"""GETs of URLs that a third party hands us (a Replicate output), reaching only the public
internet, whatever the redirects say.

httpx's `follow_redirects=True` checks nothing: a file host (or anyone who can answer
for it) could send us to 127.0.0.1, a private address or a cloud metadata endpoint. Here
redirects are followed by hand and every hop goes through core.netguard, the guard the
webhooks use: its addresses are checked and the connection goes to the checked address
(pinned, with the original Host header and TLS server name), so a second DNS answer
cannot slip an internal address in.

Origins the operator configured (e.g. REPLICATE_BASE_URL pointing at a local
Replicate-compatible server or the tests' fake) are trusted as they are: the operator
chose them, and they are usually on loopback.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import httpx

from core import netguard

MAX_REDIRECTS = 5
_REDIRECT_STATUSES = {301, 302, 303, 307, 308}


class RefusedAddress(netguard.UnsafeTarget):
    """A hop of the download would leave the public internet; the message says which host
    and why, in words for a creator (no "Webhook" wording, no internals)."""


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host.lower(), url.port or default


def _pinned_request(
    client: httpx.Client, url: httpx.URL, *, hop: int, resolver: netguard.Resolver | None
) -> httpx.Request:
    what = "its address" if hop == 0 else "a redirect"
    if url.scheme not in ("http", "https"):
        raise RefusedAddress(f"{what} leads to a {url.scheme or 'scheme-less'} URL, not http(s)")
    try:
        target = netguard.resolve_public_target(str(url), allow_private=False, resolver=resolver)
    except netguard.UnsafeTarget as exc:
        reason = str(exc)
        if reason.startswith(netguard.PUBLIC_MESSAGE):
            # "...; 127.0.0.1 is a loopback address." -> "127.0.0.1 is a loopback address"
            reason = reason.partition("; ")[2].rstrip(".")
        raise RefusedAddress(f"{what} was refused, not a public internet address: {reason}") from exc
    # The first checked address; a host with several is reached through the first.
    pinned = url.copy_with(host=target.addresses[0])
    return client.build_request(
        "GET", pinned, headers={"Host": url.netloc.decode("ascii")}, extensions={"sni_hostname": target.host}
    )


@contextmanager
def open_public_stream(
    url: str,
    *,
    timeout: float,
    trusted_origins: Sequence[str] = (),
    resolver: netguard.Resolver | None = None,
) -> Iterator[httpx.Response]:
    """The streamed answer to GET url after at most MAX_REDIRECTS redirects, each hop
    checked. Raises RefusedAddress for a hop that is not public (nothing is requested from
    it), httpx.TooManyRedirects, or httpx's other errors. The caller judges the status."""
    trusted = {_origin(httpx.URL(o)) for o in trusted_origins if o}
    current = httpx.URL(url)
    # A plain client: no API token or cookie travels to the file host.
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        for hop in range(MAX_REDIRECTS + 1):
            if _origin(current) in trusted:
                request = client.build_request("GET", current)
            else:
                request = _pinned_request(client, current, hop=hop, resolver=resolver)
            response = client.send(request, stream=True)
            location = response.headers.get("location")
            if response.status_code in _REDIRECT_STATUSES and location:
                response.close()
                current = current.join(location)
                continue
            try:
                yield response
            finally:
                response.close()
            return
        raise httpx.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects", request=request)
