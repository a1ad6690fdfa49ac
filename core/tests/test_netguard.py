"""Webhook targets: only public addresses, checked by name and by every resolved record,
and the connection goes to the address that was checked."""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.netguard import (
    PUBLIC_MESSAGE,
    UnsafeTarget,
    address_class,
    post_pinned,
    public_address_error,
    resolve_public_target,
)


def no_dns(host: str, port: int) -> list[str]:
    raise AssertionError(f"looked up {host} although it needs no lookup")


def dns(table: dict[str, list[str]]):
    def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError(-2, "Name or service not known")
        return table[host]

    return resolve


def refused(url: str, *, allow_private: bool = False, resolver=no_dns) -> str:
    error = public_address_error(url, allow_private=allow_private, resolver=resolver)
    assert error is not None, f"{url} was accepted"
    return error


# --- every address class ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "what"),
    [
        ("http://127.0.0.1/hook", "127.0.0.1 is a loopback address"),
        ("http://127.8.9.10/hook", "127.8.9.10 is a loopback address"),
        ("http://[::1]/hook", "::1 is a loopback address"),
        ("http://10.0.0.5/hook", "10.0.0.5 is a private address"),
        ("http://172.16.3.4/hook", "172.16.3.4 is a private address"),
        ("http://192.168.1.1/hook", "192.168.1.1 is a private address"),
        ("http://100.64.0.1/hook", "100.64.0.1 is a shared (carrier-grade NAT) address"),
        ("http://169.254.1.1/hook", "169.254.1.1 is a link-local address"),
        ("http://[fe80::1]/hook", "fe80::1 is a link-local address"),
        ("http://[fd12:3456::1]/hook", "fd12:3456::1 is a unique-local address"),
        ("http://0.0.0.0/hook", "0.0.0.0 is an unspecified address"),
        ("http://[::]/hook", ":: is an unspecified address"),
        ("http://224.0.0.1/hook", "224.0.0.1 is a multicast address"),
        ("http://[ff0e::1]/hook", "ff0e::1 is a multicast address"),
        ("http://240.0.0.1/hook", "240.0.0.1 is a reserved address"),
        ("http://255.255.255.255/hook", "255.255.255.255 is a reserved address"),
        ("http://192.0.2.7/hook", "192.0.2.7 is a documentation address"),
        ("http://[2001:db8::1]/hook", "2001:db8::1 is a documentation address"),
        ("http://198.18.0.1/hook", "198.18.0.1 is a benchmarking address"),
        ("http://192.0.0.1/hook", "192.0.0.1 is a special-purpose address"),
    ],
)
def test_an_address_that_is_not_public_is_refused_saying_what_it_is(url, what):
    assert refused(url) == f"{PUBLIC_MESSAGE}; {what}."


def test_the_message_names_the_address_and_its_class():
    assert refused("http://10.0.0.5/hook") == (
        "Webhook URLs must point at a public internet address; 10.0.0.5 is a private address."
    )


@pytest.mark.parametrize(
    ("url", "what"),
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"),
        ("http://[fd00:ec2::254]/latest/meta-data/", "fd00:ec2::254 is a cloud metadata address"),
        ("http://100.100.100.200/latest/meta-data/", "100.100.100.200 is a cloud metadata address"),
        ("http://metadata.google.internal/computeMetadata/v1/", "metadata.google.internal is a cloud metadata host"),
        ("http://metadata/computeMetadata/v1/", "metadata is a cloud metadata host"),
    ],
)
def test_cloud_metadata_endpoints_are_refused(url, what):
    assert refused(url) == f"{PUBLIC_MESSAGE}; {what}."


@pytest.mark.parametrize(
    ("url", "embedded"),
    [
        ("http://[::ffff:127.0.0.1]/", "127.0.0.1, a loopback address"),
        ("http://[::ffff:a00:5]/", "10.0.0.5, a private address"),
        ("http://[::ffff:169.254.169.254]/", None),
        ("http://[::127.0.0.1]/", "127.0.0.1, a loopback address"),
        ("http://[2002:7f00:1::]/", "127.0.0.1, a loopback address"),
        ("http://[2002:c0a8:101::]/", "192.168.1.1, a private address"),
        ("http://[64:ff9b::a00:5]/", "10.0.0.5, a private address"),
    ],
)
def test_ipv6_forms_of_refused_ipv4_addresses_are_refused(url, embedded):
    message = refused(url)
    if embedded is None:
        assert message.endswith("is a cloud metadata address.")
    else:
        assert f"is an IPv6 form of {embedded}." in message


def test_an_ipv6_form_of_a_public_ipv4_address_is_accepted():
    assert public_address_error("http://[::ffff:93.184.216.34]/", allow_private=False, resolver=no_dns) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433/",
        "http://0x7f.1/",
        "http://0x7f000001/",
        "http://017700000001/",
        "http://0177.0.0.1/",
        "http://127.1/",
        "http://127.000.000.001/",
        "http://1.2.3.4.5/",
        "http://example.0x10/",
        "http://3627734017/",  # a public address, but still not written as one
    ],
)
def test_ip_addresses_in_unusual_spellings_are_refused(url):
    assert "an IP address in an unusual spelling" in refused(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8000/hook",
        "http://app.localhost/hook",
        "http://redis/hook",
        "http://db.internal/hook",
        "http://printer.local/hook",
        "http://box.localdomain/hook",
        "http://nas.home.arpa/hook",
        "http://LOCALHOST./hook",
    ],
)
def test_internal_host_names_are_refused_without_a_lookup(url):
    assert refused(url).endswith("is an internal host name.")


# --- names that resolve -----------------------------------------------------------------------


def test_a_name_that_resolves_to_a_private_address_is_refused():
    resolver = dns({"hooks.example.com": ["10.0.0.5"]})
    assert refused("https://hooks.example.com/in", resolver=resolver) == (
        f"{PUBLIC_MESSAGE}; hooks.example.com resolves to 10.0.0.5, a private address."
    )


def test_every_record_is_checked_not_only_the_first():
    resolver = dns({"hooks.example.com": ["93.184.216.34", "2606:2800:220:1::1", "fd00:ec2::254"]})
    assert "resolves to fd00:ec2::254, a cloud metadata address" in refused(
        "https://hooks.example.com/in", resolver=resolver
    )


def test_a_name_with_only_public_records_is_accepted():
    resolver = dns({"hooks.example.com": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]})
    assert public_address_error("https://hooks.example.com/in", allow_private=False, resolver=resolver) is None


def test_a_name_that_does_not_resolve_is_accepted_when_saved_and_refused_when_sent():
    resolver = dns({})
    assert public_address_error("https://not-yet.example.com/in", allow_private=False, resolver=resolver) is None
    with pytest.raises(UnsafeTarget, match="could not be found"):
        resolve_public_target("https://not-yet.example.com/in", allow_private=False, resolver=resolver)


def test_the_resolved_addresses_are_pinned_in_the_target():
    resolver = dns({"hooks.example.com": ["93.184.216.34", "2606:2800:220:1::1"]})
    target = resolve_public_target("https://hooks.example.com:8443/in?x=1#frag", allow_private=False, resolver=resolver)
    assert (target.scheme, target.host, target.port, target.path) == ("https", "hooks.example.com", 8443, "/in?x=1")
    assert target.addresses == ("93.184.216.34", "2606:2800:220:1::1")


def test_sending_refuses_what_saving_refuses():
    with pytest.raises(UnsafeTarget, match="10.0.0.5 is a private address"):
        resolve_public_target("http://10.0.0.5/hook", allow_private=False, resolver=no_dns)
    rebound = dns({"hooks.example.com": ["127.0.0.1"]})
    with pytest.raises(UnsafeTarget, match="resolves to 127.0.0.1, a loopback address"):
        resolve_public_target("http://hooks.example.com/hook", allow_private=False, resolver=rebound)


# --- the URL itself ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["ftp://example.com/hook", "file:///etc/passwd", "gopher://example.com/", "//x/"])
def test_only_http_and_https_are_accepted(url):
    assert refused(url) == "The callback URL must be an http:// or https:// URL with a host."


@pytest.mark.parametrize(
    "url", ["https://user:pass@example.com/hook", "https://user@example.com/hook", "https://:x@example.com/"]
)
def test_credentials_in_the_url_are_refused(url):
    assert refused(url) == "The callback URL must not contain credentials."


@pytest.mark.parametrize("port", [22, 25, 6379, 8080, 8443, 65535])
def test_low_ports_other_than_80_and_443_are_refused_and_high_ports_allowed(port):
    resolver = dns({"hooks.example.com": ["93.184.216.34"]})
    error = public_address_error(f"http://hooks.example.com:{port}/", allow_private=False, resolver=resolver)
    if port < 1024:
        assert error == f"Webhook URLs may use port 80, 443 or 1024-65535; port {port} is not allowed."
    else:
        assert error is None


def test_an_out_of_range_port_is_not_a_valid_url():
    assert refused("http://example.com:99999/") == "The callback URL is not a valid URL."


def test_a_public_address_on_a_standard_port_is_accepted():
    for url in ("https://93.184.216.34/hook", "http://93.184.216.34:80/hook", "https://[2606:4700::1111]/"):
        assert public_address_error(url, allow_private=False, resolver=no_dns) is None


# --- allow_private (development and tests) ----------------------------------------------------


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/hook", "http://10.0.0.5/hook", "http://localhost:22/", "http://receiver/hook"]
)
def test_allowing_private_targets_lets_loopback_private_and_internal_names_through(url):
    resolver = dns({"localhost": ["127.0.0.1"], "receiver": ["172.18.0.4"]})
    assert public_address_error(url, allow_private=True, resolver=resolver) is None


@pytest.mark.parametrize(
    "url",
    ["http://169.254.169.254/", "http://[fd00:ec2::254]/", "http://metadata.google.internal/", "http://0x7f.1/"],
)
def test_metadata_and_odd_spellings_stay_refused_even_when_private_targets_are_allowed(url):
    assert refused(url, allow_private=True)


def test_a_name_resolving_to_the_metadata_address_is_refused_even_when_private_targets_are_allowed():
    resolver = dns({"sneaky.example.com": ["169.254.169.254"]})
    assert "cloud metadata address" in refused("http://sneaky.example.com/", allow_private=True, resolver=resolver)


def test_address_class_is_none_only_for_public_unicast():
    assert address_class(ipaddress.ip_address("93.184.216.34")) is None
    assert address_class(ipaddress.ip_address("2a00:1450:4001:80b::200e")) is None
    assert address_class(ipaddress.ip_address("10.1.2.3")) == "a private address"


# --- connecting to the pinned address ---------------------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers["Content-Length"])
        self.seen.append({"host": self.headers["Host"], "path": self.path, "body": self.rfile.read(length)})
        self.send_response(302)
        self.send_header("Location", "http://127.0.0.1:9/elsewhere")
        self.end_headers()
        self.wfile.write(b"moved")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[http.server.ThreadingHTTPServer]:
    _Recorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_the_post_goes_to_the_pinned_address_with_the_original_host_header(local_server):
    port = local_server.server_address[1]
    # The name resolves (once, at check time) to the local server; nothing else is looked up.
    target = resolve_public_target(
        f"http://hooks.example.test:{port}/in?x=1",
        allow_private=True,
        resolver=dns({"hooks.example.test": ["127.0.0.1"]}),
    )
    status, excerpt = post_pinned(target, body=b'{"a":1}', headers={"Content-Type": "application/json"}, timeout=5)
    assert (status, excerpt) == (302, "moved")  # a redirect is an answer, not followed
    assert _Recorder.seen == [{"host": f"hooks.example.test:{port}", "path": "/in?x=1", "body": b'{"a":1}'}]


def test_a_dead_first_address_falls_back_to_the_next_checked_one(local_server):
    port = local_server.server_address[1]
    target = resolve_public_target(
        f"http://hooks.example.test:{port}/in",
        allow_private=True,
        resolver=dns({"hooks.example.test": ["127.0.0.2", "127.0.0.1"]}),
    )
    # The server is bound to 127.0.0.1 only: 127.0.0.2 refuses the connection.
    status, _ = post_pinned(target, body=b"{}", headers={}, timeout=5)
    assert status == 302
    assert len(_Recorder.seen) == 1


def _self_signed(tmp_path: Path, name: str) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_https_sends_the_host_name_as_sni_and_checks_the_certificate_against_it(tmp_path):
    cert, key = _self_signed(tmp_path, "hooks.example.test")
    server_names: list[str | None] = []
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    server_context.sni_callback = lambda sock, name, ctx: server_names.append(name)
    _Recorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.socket = server_context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        client_context = ssl.create_default_context(cafile=str(cert))
        target = resolve_public_target(
            f"https://hooks.example.test:{port}/in",
            allow_private=True,
            resolver=dns({"hooks.example.test": ["127.0.0.1"]}),
        )
        status, _ = post_pinned(target, body=b"{}", headers={}, timeout=5, ssl_context=client_context)
        assert status == 302
        assert server_names == ["hooks.example.test"]
        assert _Recorder.seen[0]["host"] == f"hooks.example.test:{port}"

        # The same server reached under another name fails the certificate check.
        other = resolve_public_target(
            f"https://other.example.test:{port}/in",
            allow_private=True,
            resolver=dns({"other.example.test": ["127.0.0.1"]}),
        )
        with pytest.raises(ssl.SSLCertVerificationError):
            post_pinned(other, body=b"{}", headers={}, timeout=5, ssl_context=client_context)
    finally:
        server.shutdown()
        server.server_close()
