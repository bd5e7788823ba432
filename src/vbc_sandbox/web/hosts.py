"""Which names a request may address the sandbox by (DNS rebinding).

While the control API's token is the well-known one (a sandbox on loopback started without
`--admin-token`), a web page could point a name of its own at 127.0.0.1 and then, being
same-origin with the sandbox as far as the browser knows, reset it, read its journal and
mint tokens. The browser sends that name in `Host`: such requests are refused unless they
name this machine's loopback, or a name the user allowed with `--allowed-host`.
"""

from __future__ import annotations

import ipaddress

import attrs
from starlette.types import Scope

from vbc_sandbox.errors import SandboxError


class MisdirectedHost(SandboxError):
    status = 403


def is_loopback(host: str) -> bool:
    """Whether a name or address (without a port) is this machine's loopback. Names under
    `.localhost` are loopback by RFC 6761, and browsers resolve them so themselves."""
    host = host.lower().removesuffix(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.removeprefix("[").removesuffix("]"))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def delivers_to(webhook_hosts: tuple[str, ...], host: str) -> bool:
    """Whether VIS deliveries may go to `host` (a URL's host name, lower case): loopback,
    or a host `--webhook-host` names (`*`: any)."""
    return is_loopback(host) or "*" in webhook_hosts or host.lower() in webhook_hosts


def host_name(header: str) -> str:
    """A Host header's name or address, without its port, in lower case."""
    if header.startswith("["):
        return header[1:].partition("]")[0].lower()
    return (header.rpartition(":")[0] if ":" in header else header).lower()


def over_tcp(scope: Scope) -> bool:
    """Whether a request came over a TCP connection: an ASGI server names the address it
    accepted the connection on (an IP address and a port). A transport inside the test
    process (httpx's ASGITransport) names its URL's host instead, and no browser reaches
    it, so rebinding is no risk there."""
    server = scope.get("server")
    if not server or not isinstance(server[1], int):
        return False
    try:
        ipaddress.ip_address(server[0])
    except ValueError:
        return False
    return True


@attrs.frozen
class HostCheck:
    """Refuses requests over TCP whose Host names neither loopback nor an allowed host."""

    allowed: frozenset[str]

    def refusal(self, scope: Scope) -> MisdirectedHost | None:
        if not over_tcp(scope):
            return None
        for name, value in scope["headers"]:
            if name != b"host":
                continue
            host = host_name(value.decode("latin-1"))
            if is_loopback(host) or host in self.allowed:
                continue
            return MisdirectedHost(
                f"Host {host[:60]!r} is neither loopback nor named with --allowed-host: this"
                " sandbox answers only requests to localhost or 127.0.0.1 (or those names),"
                " so that no web page can point a name of its own at it and drive it"
            )
        return None
