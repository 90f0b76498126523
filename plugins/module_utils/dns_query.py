# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Asking a zone's authoritative name servers directly (dnspython).

``find_servers`` and ``wait_for`` take the resolver and the query function as
arguments, so their logic is tested without a network; ``DnsClient`` is the
real dnspython-backed implementation the modules use.
"""

from __future__ import annotations

import time
import traceback

try:
    import dns.exception
    import dns.flags
    import dns.message
    import dns.name
    import dns.query
    import dns.rcode
    import dns.rdatatype
    import dns.resolver
except ImportError:
    HAS_DNSPYTHON = False
    DNSPYTHON_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_DNSPYTHON = True
    DNSPYTHON_IMPORT_ERROR = None

from ansible_collections.fastapi_ops.server.plugins.module_utils.dns_records import normalize_value


def _is_address(value):
    import ipaddress

    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def find_servers(zones, explicit, resolve):
    """Return the servers to ask: ``[{"name": ..., "address": ...}]``.

    ``explicit`` (addresses or host names) wins; otherwise the NS records of
    each zone are looked up. ``resolve(name, rtype)`` returns a list of
    strings (empty when the name has no such record).
    """
    servers = []
    seen = set()
    if explicit:
        names = list(explicit)
    else:
        names = []
        for zone in zones:
            found = resolve(zone, "NS")
            if not found:
                raise LookupError("the zone %s has no NS records; set dns_nameservers" % zone)
            names.extend(n.rstrip(".") for n in sorted(found))
    for name in names:
        if _is_address(name):
            addresses = [name]
        else:
            addresses = list(resolve(name, "A")) + list(resolve(name, "AAAA"))
            if not addresses:
                raise LookupError("the name server %s has no address" % name)
        for address in addresses:
            if address not in seen:
                seen.add(address)
                servers.append({"name": name, "address": address})
    return servers


def matches(answer, rrset):
    """True when a server's answer holds exactly the wanted values."""
    if answer.get("error") or answer.get("cname"):
        return False
    got = sorted(normalize_value(rrset["type"], v) for v in answer.get("values") or [])
    want = sorted(normalize_value(rrset["type"], v) for v in rrset["values"])
    return got == want


def describe(answer):
    if answer.get("error"):
        return answer["error"]
    if answer.get("cname"):
        return "CNAME %s" % answer["cname"]
    return ", ".join(answer.get("values") or []) or "no record"


def wait_for(records, servers, query, timeout, interval, clock=time.monotonic, sleep=time.sleep):
    """Ask every server for every record until all answer the wanted values.

    ``query(address, name, rtype)`` returns ``{"values": [...], "ttl": ...,
    "cname": ..., "error": ...}``. Returns ``{"ok", "rounds", "elapsed",
    "pending"}``; ``pending`` lists what each server still said when time ran out.
    """
    start = clock()
    pending = [(server, rrset) for server in servers for rrset in records]
    last = {}
    rounds = 0
    while True:
        rounds += 1
        still = []
        for server, rrset in pending:
            answer = query(server["address"], rrset["name"], rrset["type"])
            if not matches(answer, rrset):
                last[(server["address"], rrset["name"], rrset["type"])] = answer
                still.append((server, rrset))
        pending = still
        elapsed = clock() - start
        if not pending or elapsed + interval > timeout:
            break
        sleep(interval)
    report = [{
        "server": server["name"],
        "address": server["address"],
        "name": rrset["name"],
        "type": rrset["type"],
        "wanted": list(rrset["values"]),
        "answered": describe(last[(server["address"], rrset["name"], rrset["type"])]),
    } for server, rrset in pending]
    return {"ok": not pending, "rounds": rounds, "elapsed": round(clock() - start, 2), "pending": report}


def failure_message(result, timeout):
    lines = ["%s %s: %s (%s) answered %s, wanted %s" % (
        p["name"], p["type"], p["server"], p["address"], p["answered"], ", ".join(p["wanted"]),
    ) for p in result["pending"]]
    return "after %ss the authoritative servers do not all serve the new records: %s" % (timeout, "; ".join(lines))


class DnsClient:
    """dnspython-backed queries: non-recursive, straight to one server."""

    def __init__(self, port=53, timeout=3.0):
        self.port = port
        self.timeout = timeout
        self._resolver = None

    def resolve(self, name, rtype):
        if self._resolver is None:
            self._resolver = dns.resolver.Resolver()
            self._resolver.lifetime = self.timeout * 2
        try:
            answer = self._resolver.resolve(name, rtype)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        return [rdata.to_text() for rdata in answer]

    def query(self, address, name, rtype):
        qname = dns.name.from_text(name)
        request = dns.message.make_query(qname, rtype)
        request.flags &= ~dns.flags.RD
        try:
            response, _tcp = dns.query.udp_with_fallback(request, address, timeout=self.timeout, port=self.port)
        except (dns.exception.DNSException, OSError) as exc:
            return {"values": [], "ttl": None, "cname": None, "error": "no answer (%s)" % (str(exc) or type(exc).__name__)}
        rcode = response.rcode()
        if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            return {"values": [], "ttl": None, "cname": None, "error": "error %s" % dns.rcode.to_text(rcode)}
        wanted = dns.rdatatype.from_text(rtype)
        values, ttl, cname = [], None, None
        for rrset in response.answer:
            if rrset.name != qname:
                continue
            if rrset.rdtype == wanted:
                ttl = rrset.ttl
                for rdata in rrset:
                    if wanted == dns.rdatatype.TXT:
                        values.append(b"".join(rdata.strings).decode("utf-8", "replace"))
                    else:
                        values.append(rdata.to_text())
            elif rrset.rdtype == dns.rdatatype.CNAME:
                cname = rrset[0].target.to_text().rstrip(".")
        return {"values": values, "ttl": ttl, "cname": cname, "error": None}
