"""Outgoing HTTP that cannot be turned against the firm's own network (no server-side request forgery).

A URL must be https, must not carry credentials, must not name Keyline itself, and every address its
host resolves to must be a public one (no private, loopback, link-local, shared or reserved range).
The request then goes to the address that was checked, with the host name kept for TLS, so a DNS
answer that changes between the check and the connection (rebinding) cannot redirect it; redirects
are never followed.

`WEBHOOK_ALLOW_LOOPBACK` (tests only) lets http://127.0.0.1 through, for a local receiver.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings

REFUSED_NOT_HTTPS = "Use an https:// address."
REFUSED_PRIVATE = "This address points inside a private network; use the service's public https address."
REFUSED_SELF = "This address points back at Keyline itself."
REFUSED_UNKNOWN = "This host name could not be found."
REFUSED_SHAPE = "Enter a full https:// address without a user name or password."


class UnsafeURL(ValueError):
    pass


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


def _own_hosts() -> set[str]:
    hosts = {host.lower().lstrip(".") for host in settings.ALLOWED_HOSTS if host not in ("*", "")}
    site = urlsplit(getattr(settings, "SITE_URL", "") or "")
    if site.hostname:
        hosts.add(site.hostname.lower())
    return hosts


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _is_loopback(address: str) -> bool:
    return ipaddress.ip_address(address.split("%")[0]).is_loopback


def check_url(url: str) -> Target:
    """The checked target of `url`, or UnsafeURL with the reason in words a person can act on."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL(REFUSED_SHAPE) from exc
    host = (parts.hostname or "").lower()
    if not host or parts.username or parts.password:
        raise UnsafeURL(REFUSED_SHAPE)
    allow_loopback = getattr(settings, "WEBHOOK_ALLOW_LOOPBACK", False)
    if parts.scheme not in ("https", "http") or (parts.scheme == "http" and not allow_loopback):
        raise UnsafeURL(REFUSED_NOT_HTTPS)
    test_receiver = allow_loopback and _is_ip(host) and _is_loopback(host)
    if not test_receiver and any(host == own or host.endswith("." + own) for own in _own_hosts()):
        raise UnsafeURL(REFUSED_SELF)
    if parts.scheme == "http" and not test_receiver:
        raise UnsafeURL(REFUSED_NOT_HTTPS)
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeURL(REFUSED_UNKNOWN) from exc
    addresses = [str(info[4][0]) for info in infos]
    if not test_receiver and not all(_is_public(a) for a in addresses):
        raise UnsafeURL(REFUSED_PRIVATE)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, host, port, path, addresses[0])


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


def post(url: str, body: bytes, headers: dict[str, str], timeout: float = 10.0) -> Answer:
    """POST `body` to `url` after `check_url`, to the address checked, never following a redirect."""
    target = check_url(url)
    pool: urllib3.HTTPConnectionPool
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            timeout=timeout,
            retries=False,
        )
    else:
        pool = urllib3.HTTPConnectionPool(target.address, target.port, timeout=timeout, retries=False)
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    with pool:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={"Host": host_header, "User-Agent": "Keyline-Webhook/1", **headers},
            redirect=False,
            preload_content=False,
        )
        data = response.read(4096)
        response.release_conn()
    return Answer(response.status, data)
