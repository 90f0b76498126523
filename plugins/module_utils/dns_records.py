# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DNS records of the apps: which addresses, which names, what changes.

Pure Python (no DNS library): the filters and modules of the ``dns`` role
share it, and the unit tests exercise it without a network.

A record set ("rrset") is a mapping::

    {"name": "shop.example.com", "zone": "example.com", "relative": "shop",
     "type": "A", "values": ["203.0.113.7"], "ttl": 300,
     "hosts": ["web1"], "apps": ["shop"]}

Ownership: next to every name it publishes, the role keeps a TXT record at
``OWNER_PREFIX.NAME`` holding ``heritage=fastapi_ops.server,owner=OWNER``.
A name whose marker carries this owner is the role's own; any other record
set with a different value belongs to someone else and is only replaced when
overwriting is allowed.
"""

from __future__ import annotations

import ipaddress

OWNER_PREFIX = "_fastapi-ops"
ADDRESS_TYPES = ("A", "AAAA")
PROVIDERS = ("rfc2136", "cloudflare", "route53", "digitalocean", "hetzner", "none")
APP_DNS_KEYS = {"skip", "ttl", "extra_names", "zone"}


class DnsInputError(ValueError):
    """Wrong input; ``problems`` holds one message per problem."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


# --- IP selection ---------------------------------------------------------

def _usable(address, version, private):
    """Return the normalised address if it may be published, else None."""
    try:
        ip = ipaddress.ip_address(str(address).split("%", maxsplit=1)[0])
    except ValueError:
        return None
    if ip.version != version:
        return None
    if ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_unspecified:
        return None
    if not private and not ip.is_global:
        return None
    return ip.compressed


def _detect(facts, version, private):
    key = "default_ipv4" if version == 4 else "default_ipv6"
    candidates = []
    default = facts.get(key) or {}
    if isinstance(default, dict) and default.get("address"):
        candidates.append(default["address"])
    candidates.extend(facts.get("all_ipv%d_addresses" % version) or [])
    for candidate in candidates:
        usable = _usable(candidate, version, private)
        if usable:
            return usable
    return None


def _override(value, version, host, problems):
    """Return (decided, address) for an explicit per-host setting."""
    if value is None or value == "" or value == "auto":
        return False, None
    if value == "skip" or value is False:
        return True, None
    try:
        ip = ipaddress.ip_address(str(value))
    except ValueError:
        ip = None
    if ip is None or ip.version != version:
        problems.append(
            "%s: dns_ipv%d is %r: give an IPv%d address, 'auto' (from facts) or 'skip'" % (host, version, value, version)
        )
        return True, None
    return True, ip.compressed


def select_addresses(facts, ipv4="auto", ipv6="auto", private=False, host="host"):
    """Choose the IPv4 and IPv6 address a host publishes.

    ``ipv4``/``ipv6`` are the per-host overrides: ``auto`` takes the address
    from the facts (the default route's address first, then any other),
    ``skip`` publishes none, anything else must be an address of that family.
    From facts only global (public) addresses are taken unless ``private``.
    Returns ``{"ipv4": str|None, "ipv6": str|None, "problems": [...]}``.
    """
    facts = facts or {}
    problems = []
    result = {}
    for version, value in ((4, ipv4), (6, ipv6)):
        decided, address = _override(value, version, host, problems)
        if not decided:
            address = _detect(facts, version, private)
        result["ipv%d" % version] = address
    if not problems and result["ipv4"] is None and result["ipv6"] is None and not (
        ipv4 == "skip" and ipv6 == "skip"
    ):
        problems.append(
            "%s: no %saddress to publish was found in the facts; set dns_ipv4 or dns_ipv6 for this host"
            " (or dns_private_addresses: true to publish private addresses)"
            % (host, "" if private else "public ")
        )
    result["problems"] = problems
    return result


# --- Name building --------------------------------------------------------

def normalize_name(name):
    return str(name).strip().lower().rstrip(".")


def in_zone(name, zone):
    return name == zone or name.endswith("." + zone)


def relative_name(name, zone):
    return "@" if name == zone else name[: -(len(zone) + 1)]


def owner_marker(owner):
    return "heritage=fastapi_ops.server,owner=%s" % owner


def owner_name(name):
    return "%s.%s" % (OWNER_PREFIX, name)


def _rrset(name, zone, rtype, values, ttl, host, app):
    return {
        "name": name,
        "zone": zone,
        "relative": relative_name(name, zone),
        "type": rtype,
        "values": list(values),
        "ttl": ttl,
        "hosts": [host] if host else [],
        "apps": [app] if app else [],
    }


def _merge(records, rrset, problems):
    key = (rrset["name"], rrset["type"])
    known = records.get(key)
    if known is None:
        records[key] = rrset
        return
    if known["zone"] != rrset["zone"]:
        problems.append("%s: placed in zone %s and in zone %s" % (rrset["name"], known["zone"], rrset["zone"]))
    for field in ("values", "hosts", "apps"):
        known[field] = known[field] + [v for v in rrset[field] if v not in known[field]]
    known["ttl"] = min(known["ttl"], rrset["ttl"])


def _app_settings(app, where, default_zone, default_ttl, problems):
    settings = app.get("dns") or {}
    if not isinstance(settings, dict):
        problems.append("%s.dns: must be a mapping (skip, ttl, extra_names, zone)" % where)
        return None
    for key in sorted(set(settings) - APP_DNS_KEYS, key=str):
        problems.append("%s.dns.%s: unknown key (known: %s)" % (where, key, ", ".join(sorted(APP_DNS_KEYS))))
    ttl = settings.get("ttl", default_ttl)
    if not isinstance(ttl, int) or isinstance(ttl, bool) or not 1 <= ttl <= 2147483647:
        problems.append("%s.dns.ttl: %r must be a number of seconds" % (where, ttl))
    extra = settings.get("extra_names") or []
    if not isinstance(extra, list) or not all(isinstance(n, str) and n.strip() for n in extra):
        problems.append("%s.dns.extra_names: must be a list of names" % where)
        extra = []
    zone = normalize_name(settings.get("zone") or default_zone or "")
    if not zone:
        problems.append("%s: no zone: set dns_zone (or dns.zone of this app)" % where)
    return {"skip": bool(settings.get("skip", False)), "ttl": ttl, "extra": extra, "zone": zone}


def build_records(hosts, zone, ttl=300, owner="default"):
    """Return the record sets of every app on every host, owner markers included.

    ``hosts`` is a list of ``{"host": NAME, "apps": [...], "ipv4": ..., "ipv6": ...}``;
    each app's names are its ``domain``, its ``extra_domains`` and the
    ``dns.extra_names`` of its own settings. Two hosts publishing the same
    name make one record set holding both addresses (the smaller TTL wins).
    Raises DnsInputError listing every problem.
    """
    problems = []
    records = {}
    default_zone = normalize_name(zone or "")
    for entry in hosts or []:
        host = entry.get("host", "host")
        for index, app in enumerate(entry.get("apps") or []):
            if not isinstance(app, dict) or not app.get("name") or not app.get("domain"):
                problems.append("%s: dns_apps[%d] must be an app with name and domain (docs/apps.md)" % (host, index))
                continue
            where = "%s: app %s" % (host, app["name"])
            settings = _app_settings(app, where, default_zone, ttl, problems)
            if settings is None or settings["skip"]:
                continue
            names = [app["domain"]] + list(app.get("extra_domains") or []) + settings["extra"]
            for raw in names:
                name = normalize_name(raw)
                if not settings["zone"]:
                    continue
                if not in_zone(name, settings["zone"]):
                    problems.append("%s: %s is not inside the zone %s" % (where, name, settings["zone"]))
                    continue
                if name.startswith(OWNER_PREFIX + "."):
                    problems.append("%s: %s uses the prefix the role keeps for its owner records" % (where, name))
                    continue
                for rtype, key in (("A", "ipv4"), ("AAAA", "ipv6")):
                    if entry.get(key):
                        _merge(records, _rrset(name, settings["zone"], rtype, [entry[key]], settings["ttl"], host, app["name"]), problems)
    if problems:
        raise DnsInputError(problems)
    result = sorted(records.values(), key=lambda r: (r["name"], r["type"]))
    for rrset in result:
        rrset["values"] = sorted(rrset["values"])
    names = sorted({(r["name"], r["zone"]) for r in result})
    for name, rzone in names:
        ttls = [r["ttl"] for r in result if r["name"] == name]
        marker = _rrset(owner_name(name), rzone, "TXT", [owner_marker(owner)], min(ttls), None, None)
        marker["hosts"] = sorted({h for r in result if r["name"] == name for h in r["hosts"]})
        marker["apps"] = sorted({a for r in result if r["name"] == name for a in r["apps"]})
        result.append(marker)
    return result


# --- Planning -------------------------------------------------------------

def normalize_value(rtype, value):
    value = str(value).strip()
    if rtype in ADDRESS_TYPES:
        try:
            return ipaddress.ip_address(value).compressed
        except ValueError:
            return value.lower()
    if rtype == "TXT" and len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1]
    return value


def same_values(rtype, left, right):
    return sorted(normalize_value(rtype, v) for v in left or []) == sorted(normalize_value(rtype, v) for v in right or [])


def plan(records, current, owner, overwrite=False):
    """Compare the wanted record sets with what the zone serves.

    ``current`` maps ``"NAME TYPE"`` to ``{"values": [...], "ttl": int|None,
    "cname": str|None}`` as read from an authoritative server.
    Returns ``{"changes": [...], "conflicts": [...], "unchanged": [...]}``;
    each change is the wanted rrset plus ``before`` (values), ``before_ttl``
    and ``reason``; each conflict names the record, the zone's values and the
    wanted ones.
    """
    marker = owner_marker(owner)
    changes, conflicts, unchanged = [], [], []
    by_name = {}
    for rrset in records:
        if rrset["type"] != "TXT" or not rrset["name"].startswith(OWNER_PREFIX + "."):
            by_name.setdefault(rrset["name"], []).append(rrset)
    for name in sorted(by_name):
        marker_now = current.get("%s TXT" % owner_name(name)) or {}
        marker_values = [normalize_value("TXT", v) for v in marker_now.get("values") or []]
        owned = marker in marker_values
        foreign_marker = bool(marker_values) and not owned
        name_changes, name_conflicts = [], []
        for rrset in by_name[name]:
            now = current.get("%s %s" % (name, rrset["type"])) or {}
            before = list(now.get("values") or [])
            if now.get("cname"):
                name_conflicts.append(_conflict(rrset, ["CNAME %s" % now["cname"]], "the name is an alias (CNAME)"))
                continue
            if same_values(rrset["type"], before, rrset["values"]):
                if now.get("ttl") is not None and now.get("ttl") != rrset["ttl"]:
                    name_changes.append(_change(rrset, before, now.get("ttl"), "ttl"))
                else:
                    unchanged.append(rrset)
                continue
            if not before:
                name_changes.append(_change(rrset, before, now.get("ttl"), "create"))
            elif owned:
                name_changes.append(_change(rrset, before, now.get("ttl"), "update"))
            else:
                name_conflicts.append(_conflict(rrset, before, "not created by this role" if not foreign_marker else
                                                "owned by %s" % ", ".join(marker_values)))
        alias = [c for c in name_conflicts if c["reason"].startswith("the name is an alias")]
        if name_conflicts and (alias or not overwrite):
            conflicts.extend(name_conflicts)
            continue
        for conflict in name_conflicts:
            rrset = next(r for r in by_name[name] if r["type"] == conflict["type"])
            now = current.get("%s %s" % (name, rrset["type"])) or {}
            name_changes.append(_change(rrset, conflict["current"], now.get("ttl"), "overwrite"))
        marker_rrset = next((r for r in records if r["name"] == owner_name(name) and r["type"] == "TXT"), None)
        if marker_rrset is not None:
            marker_ttl = marker_now.get("ttl")
            marker_ok = same_values("TXT", marker_now.get("values"), marker_rrset["values"]) and (
                marker_ttl is None or marker_ttl == marker_rrset["ttl"]
            )
            if not marker_ok:
                name_changes.append(_change(marker_rrset, marker_now.get("values") or [], marker_ttl, "owner"))
        changes.extend(sorted(name_changes, key=lambda c: c["type"]))
    return {"changes": changes, "conflicts": conflicts, "unchanged": unchanged}


def _change(rrset, before, before_ttl, reason):
    change = dict(rrset)
    change["before"] = list(before)
    change["before_ttl"] = before_ttl
    change["reason"] = reason
    return change


def _conflict(rrset, current, reason):
    return {
        "name": rrset["name"],
        "type": rrset["type"],
        "current": list(current),
        "wanted": list(rrset["values"]),
        "reason": reason,
        "apps": list(rrset["apps"]),
    }


def conflict_message(conflict):
    return "%s %s: the zone serves %s (%s); the apps (%s) want %s" % (
        conflict["name"], conflict["type"], ", ".join(conflict["current"]), conflict["reason"],
        ", ".join(conflict["apps"]) or "-", ", ".join(conflict["wanted"]),
    )


# --- Provider argument mapping --------------------------------------------

def _quoted(rtype, value):
    if rtype == "TXT" and not (value.startswith('"') and value.endswith('"')):
        return '"%s"' % value
    return value


def provider_args(rrset, provider):
    """Map one record set to the arguments of the provider's module.

    Returns a list of argument mappings, one per module call (providers whose
    module takes a single value get one call per value; the first replaces
    the record set, the next ones add to it). Credentials are not included:
    the provider's task file adds them from the role's variables.
    """
    name, zone, rtype, ttl = rrset["name"], rrset["zone"], rrset["type"], rrset["ttl"]
    values = list(rrset["values"])
    if provider == "rfc2136":
        return [{"state": "present", "zone": zone, "record": name + ".", "type": rtype, "ttl": ttl, "value": values}]
    if provider == "route53":
        return [{
            "state": "present", "zone": zone, "record": name, "type": rtype, "ttl": ttl,
            "value": [_quoted(rtype, v) for v in values], "overwrite": True, "wait": False,
        }]
    if provider == "hetzner":
        return [{
            "state": "present", "zone": zone, "name": rrset["relative"], "type": rtype, "ttl": ttl,
            "records": [{"value": _quoted(rtype, v)} for v in values],
        }]
    if provider == "cloudflare":
        return [{
            "state": "present", "zone": zone, "record": name, "type": rtype, "ttl": ttl,
            "value": value, "solo": index == 0, "proxied": False,
        } for index, value in enumerate(values)]
    if provider == "digitalocean":
        return [{
            "state": "present", "domain": zone, "name": rrset["relative"], "type": rtype, "ttl": ttl,
            "data": value, "force_update": index == 0,
        } for index, value in enumerate(values)]
    if provider == "none":
        return []
    raise DnsInputError(["unknown DNS provider %r (known: %s)" % (provider, ", ".join(PROVIDERS))])
