"""Name building and IP selection of the dns role (filters dns_records, dns_host_addresses)."""

import re

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.fastapi_ops.server.plugins.filter.dns_host_addresses import FilterModule as AddressFilters
from ansible_collections.fastapi_ops.server.plugins.filter.dns_records import FilterModule as RecordFilters

dns_records = RecordFilters().filters()["dns_records"]
dns_host_addresses = AddressFilters().filters()["dns_host_addresses"]

# Public addresses (the documentation ranges do not count as public).
FACTS = {
    "default_ipv4": {"address": "93.184.215.14"},
    "all_ipv4_addresses": ["10.0.0.5", "93.184.215.14"],
    "default_ipv6": {"address": "2a01:4f8:0:0::7"},
    "all_ipv6_addresses": ["fe80::1", "2a01:4f8::7"],
}
PRIVATE = {
    "default_ipv4": {"address": "172.18.0.2"},
    "all_ipv4_addresses": ["172.18.0.2"],
    "all_ipv6_addresses": ["fe80::42:acff:fe12:2", "fd00::2"],
}


def app(name, domain, **extra):
    return dict({"name": name, "domain": domain}, **extra)


def by_key(records):
    return {(r["name"], r["type"]): r for r in records}


# --- IP selection --------------------------------------------------------

def test_public_addresses_come_from_the_default_route():
    assert dns_host_addresses(FACTS) == {"ipv4": "93.184.215.14", "ipv6": "2a01:4f8::7", "problems": []}


def test_a_private_default_route_falls_back_to_another_public_address():
    facts = dict(FACTS, default_ipv4={"address": "10.0.0.5"})
    assert dns_host_addresses(facts)["ipv4"] == "93.184.215.14"


def test_private_addresses_count_only_when_allowed():
    assert dns_host_addresses(PRIVATE, private=True) == {"ipv4": "172.18.0.2", "ipv6": "fd00::2", "problems": []}
    found = dns_host_addresses(PRIVATE, host="web1")
    assert found["ipv4"] is None and found["ipv6"] is None
    assert found["problems"] == [
        "web1: no public address to publish was found in the facts; set dns_ipv4 or dns_ipv6 for this host"
        " (or dns_private_addresses: true to publish private addresses)"
    ]


def test_link_local_and_loopback_never_count():
    facts = {"all_ipv4_addresses": ["127.0.0.1", "169.254.1.1"], "all_ipv6_addresses": ["::1", "fe80::1"]}
    found = dns_host_addresses(facts, private=True)
    assert (found["ipv4"], found["ipv6"]) == (None, None)


def test_overrides_win_and_skip_publishes_nothing():
    found = dns_host_addresses(FACTS, ipv4="198.51.100.9", ipv6="skip")
    assert found == {"ipv4": "198.51.100.9", "ipv6": None, "problems": []}
    assert dns_host_addresses({}, ipv4="skip", ipv6="2001:DB8::0:1")["ipv6"] == "2001:db8::1"


def test_a_wrong_override_is_reported():
    found = dns_host_addresses(FACTS, ipv4="2001:db8::1", host="web1")
    assert found["problems"] == ["web1: dns_ipv4 is '2001:db8::1': give an IPv4 address, 'auto' (from facts) or 'skip'"]


def test_only_ipv6_is_enough():
    assert dns_host_addresses(FACTS, ipv4="skip") == {"ipv4": None, "ipv6": "2a01:4f8::7", "problems": []}


# --- name building --------------------------------------------------------

HOSTS = [
    {"host": "web1", "ipv4": "203.0.113.7", "ipv6": "2001:db8::7", "apps": [
        app("shop", "Shop.Example.com.", extra_domains=["www.shop.example.com"],
            dns={"ttl": 120, "extra_names": ["api.example.com"]}),
        app("status", "status.example.com"),
    ]},
    {"host": "web2", "ipv4": "203.0.113.8", "ipv6": None, "apps": [
        app("status", "status.example.com"),
        app("intranet", "intranet.example.com", dns={"skip": True}),
        app("apex", "example.com"),
    ]},
]


def test_every_name_of_every_app_gets_a_and_aaaa():
    records = by_key(dns_records(HOSTS, zone="example.com", ttl=300, owner="prod"))
    shop = records[("shop.example.com", "A")]
    assert shop == {"name": "shop.example.com", "zone": "example.com", "relative": "shop", "type": "A",
                    "values": ["203.0.113.7"], "ttl": 120, "hosts": ["web1"], "apps": ["shop"]}
    assert records[("www.shop.example.com", "AAAA")]["values"] == ["2001:db8::7"]
    assert records[("api.example.com", "A")]["ttl"] == 120
    assert records[("example.com", "A")]["relative"] == "@"


def test_a_host_without_ipv6_publishes_no_aaaa():
    records = by_key(dns_records(HOSTS, zone="example.com"))
    assert ("example.com", "AAAA") not in records
    assert records[("status.example.com", "AAAA")]["values"] == ["2001:db8::7"]


def test_a_name_on_two_hosts_holds_both_addresses():
    status = by_key(dns_records(HOSTS, zone="example.com"))[("status.example.com", "A")]
    assert status["values"] == ["203.0.113.7", "203.0.113.8"]
    assert status["hosts"] == ["web1", "web2"]


def test_skipped_app_gets_no_record():
    names = {r["name"] for r in dns_records(HOSTS, zone="example.com")}
    assert not any("intranet" in name for name in names)


def test_every_name_gets_one_owner_marker():
    records = dns_records(HOSTS, zone="example.com", owner="prod")
    markers = [r for r in records if r["type"] == "TXT"]
    assert sorted(m["name"] for m in markers) == sorted(
        "_fastapi-ops." + n for n in
        ["shop.example.com", "www.shop.example.com", "api.example.com", "status.example.com", "example.com"])
    shop = next(m for m in markers if m["name"] == "_fastapi-ops.shop.example.com")
    assert shop["values"] == ["heritage=fastapi_ops.server,owner=prod"]
    assert shop["ttl"] == 120 and shop["relative"] == "_fastapi-ops.shop"


def test_per_app_zone_wins():
    hosts = [{"host": "h", "ipv4": "203.0.113.7", "apps": [app("a", "a.other.org", dns={"zone": "other.org"})]}]
    assert dns_records(hosts, zone="example.com")[0]["zone"] == "other.org"


@pytest.mark.parametrize("apps, message", [
    ([app("shop", "shop.example.org")], "web1: app shop: shop.example.org is not inside the zone example.com"),
    ([app("shop", "shop.example.com", dns={"ttl": "long"})], "web1: app shop.dns.ttl: 'long' must be a number of seconds"),
    ([app("shop", "shop.example.com", dns={"tll": 1})], "web1: app shop.dns.tll: unknown key"),
    ([app("shop", "shop.example.com", dns={"extra_names": "api.example.com"})], "web1: app shop.dns.extra_names: must be a list"),
    ([{"name": "shop"}], "web1: dns_apps[0] must be an app with name and domain"),
])
def test_wrong_input_fails_with_every_problem(apps, message):
    with pytest.raises(AnsibleFilterError, match="DNS records: .*" + re.escape(message)):
        dns_records([{"host": "web1", "ipv4": "203.0.113.7", "apps": apps}], zone="example.com")


def test_no_zone_is_an_error():
    with pytest.raises(AnsibleFilterError, match="no zone"):
        dns_records([{"host": "web1", "ipv4": "203.0.113.7", "apps": [app("shop", "shop.example.com")]}], zone="")
