# SPDX-License-Identifier: AGPL-3.0-or-later
"""Sending a webhook without being turned against the inside network (SSRF).

On every attempt the endpoint's host is resolved, and every address it resolves to must
be public: private (10/8, 172.16/12, 192.168/16, fc00::/7), loopback, link-local (the
cloud metadata address 169.254.169.254 among them), multicast, reserved and unspecified
addresses are refused, as are IPv4 addresses mapped into IPv6. The connection then goes
to the very address that was checked (the TLS certificate is still checked against the
host name), so a DNS answer that changes between the check and the connection
(rebinding) reaches nothing new. Redirects are answers, never followed.

``WEBHOOK_ALLOW_PRIVATE_ADDRESSES`` turns the check off (a receiver on the same network;
the tests' receiver on 127.0.0.1).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class BlockedAddress(Exception):
    """The endpoint resolves to an address webhooks may not reach."""


def address_is_public(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def resolve_checked(host: str, port: int) -> str:
    """The address to connect to for ``host``: resolved now, every answer checked.
    Raises BlockedAddress when any answer is not public (unless allowed by the
    setting) and OSError when the name does not resolve."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise OSError(f"{host} does not resolve")
    if not getattr(settings, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False):
        blocked = [str(a) for a in addresses if not address_is_public(a)]
        if blocked:
            raise BlockedAddress(
                f"{host} resolves to {', '.join(blocked)}: not a public address, refused"
            )
    return str(addresses[0])


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post_checked(
    url: str, body: bytes, headers: dict[str, str], timeout: float
) -> tuple[int | None, str]:
    """POST ``body`` to ``url`` through the address check; (status code, error text).
    Never raises for network trouble or a refused address."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None, "not an http(s) URL"
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = resolve_checked(parts.hostname, port)
        cls = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
        connection = cls(parts.hostname, port, address=address, timeout=timeout)
        try:
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read(64 * 1024)
            status = response.status
            reason = response.reason
        finally:
            connection.close()
    except BlockedAddress as exc:
        return None, str(exc)[:300]
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return None, (str(exc) or exc.__class__.__name__)[:300]
    if 200 <= status < 300:
        return status, ""
    return status, f"HTTP {status} {reason}"[:300]
