# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where Caddy serves its Prometheus metrics: one checked listener address.

The caddy role renders a site of its own for the metrics from this, so what
is refused (a wildcard or public-by-default address, a host name, the ports of
the apps' sites) is decided here, where it is unit-tested.
"""

from __future__ import annotations

import ipaddress
import re

# ADDRESS:PORT, with an IPv6 address in brackets.
LISTEN_RE = re.compile(r"^(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<v4>[0-9.]+)):(?P<port>[0-9]{1,5})$")
# The ports of the apps' public sites (HTTP, HTTPS).
SITE_PORTS = (80, 443)


class MetricsListenError(ValueError):
    """The metrics listener address is refused; the message says why."""


def metrics_listener(listen):
    """The metrics listener of ``listen`` (``ADDRESS:PORT``), or None when empty.

    Returns ``{'bind': ADDRESS, 'port': PORT, 'url': scrape URL}``. Only an IP
    address of the host is accepted: a wildcard (``0.0.0.0``, ``[::]``) would
    publish the metrics on every interface, the public one included, and a
    host name may resolve to anything. The ports of the apps' sites are
    refused too.
    """
    if listen is None or str(listen).strip() == "":
        return None
    listen = str(listen).strip()
    match = LISTEN_RE.match(listen)
    if not match:
        raise MetricsListenError(
            "%r is not ADDRESS:PORT with an IP address (such as 127.0.0.1:9180 or [::1]:9180)" % listen)
    text = match.group("v6") or match.group("v4")
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        raise MetricsListenError("%r: %r is not an IP address" % (listen, text)) from None
    if (address.version == 6) != bool(match.group("v6")):
        raise MetricsListenError("%r: an IPv6 address goes in brackets ([::1]:9180), an IPv4 one does not" % listen)
    if address.is_unspecified:
        raise MetricsListenError(
            "%r listens on every interface, the public one included; use 127.0.0.1 (loopback) "
            "or a private address only the scraper reaches" % listen)
    if address.is_multicast:
        raise MetricsListenError("%r: %s is a multicast address" % (listen, address))
    port = int(match.group("port"))
    if not 1 <= port <= 65535:
        raise MetricsListenError("%r: port %d is not between 1 and 65535" % (listen, port))
    if port in SITE_PORTS:
        raise MetricsListenError("%r: port %d is the apps' public sites' port" % (listen, port))
    host = "[%s]" % address if address.version == 6 else str(address)
    return {
        "bind": str(address),
        "port": port,
        "url": "http://%s:%d/metrics" % (host, port),
        "loopback": address.is_loopback,
    }
