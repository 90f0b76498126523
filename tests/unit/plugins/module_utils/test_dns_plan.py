"""Ownership: what the dns role changes, and what it refuses to touch."""

from ansible_collections.fastapi_ops.server.plugins.module_utils.dns_records import (
    build_records,
    conflict_message,
    plan,
)

HOSTS = [{"host": "web1", "ipv4": "203.0.113.7", "ipv6": None,
          "apps": [{"name": "shop", "domain": "shop.example.com"}]}]
RECORDS = build_records(HOSTS, "example.com", ttl=300, owner="prod")
MARKER = "heritage=fastapi_ops.server,owner=prod"


def served(a=None, marker=None, ttl=300, cname=None):
    current = {}
    if a is not None:
        current["shop.example.com A"] = {"values": a, "ttl": ttl, "cname": cname}
    if cname is not None:
        current["shop.example.com A"] = {"values": [], "ttl": None, "cname": cname}
    if marker is not None:
        current["_fastapi-ops.shop.example.com TXT"] = {"values": marker, "ttl": ttl}
    return current


def kinds(result):
    return [(c["name"], c["type"], c["reason"]) for c in result["changes"]]


def test_empty_zone_gets_the_record_and_its_marker():
    result = plan(RECORDS, served(), "prod")
    assert kinds(result) == [("shop.example.com", "A", "create"), ("_fastapi-ops.shop.example.com", "TXT", "owner")]
    assert result["changes"][0]["before"] == [] and result["changes"][0]["values"] == ["203.0.113.7"]
    assert result["conflicts"] == []


def test_nothing_changes_when_the_zone_already_matches():
    result = plan(RECORDS, served(["203.0.113.7"], [MARKER]), "prod")
    assert result["changes"] == [] and result["conflicts"] == [] and len(result["unchanged"]) == 1


def test_owned_record_with_an_old_address_is_updated():
    result = plan(RECORDS, served(["198.51.100.1"], ['"%s"' % MARKER]), "prod")
    assert kinds(result) == [("shop.example.com", "A", "update")]
    assert result["changes"][0]["before"] == ["198.51.100.1"]


def test_foreign_record_with_another_value_is_a_conflict_naming_both_values():
    result = plan(RECORDS, served(["192.0.2.99"]), "prod")
    assert result["changes"] == []
    assert conflict_message(result["conflicts"][0]) == (
        "shop.example.com A: the zone serves 192.0.2.99 (not created by this role); the apps (shop) want 203.0.113.7"
    )


def test_another_owner_marker_is_also_foreign():
    result = plan(RECORDS, served(["192.0.2.99"], ["heritage=fastapi_ops.server,owner=staging"]), "prod")
    assert "owned by heritage=fastapi_ops.server,owner=staging" in conflict_message(result["conflicts"][0])


def test_overwrite_turns_the_conflict_into_a_change_and_takes_ownership():
    result = plan(RECORDS, served(["192.0.2.99"]), "prod", overwrite=True)
    assert result["conflicts"] == []
    assert kinds(result) == [("shop.example.com", "A", "overwrite"), ("_fastapi-ops.shop.example.com", "TXT", "owner")]


def test_matching_record_without_marker_is_adopted_not_rewritten():
    result = plan(RECORDS, served(["203.0.113.7"]), "prod")
    assert kinds(result) == [("_fastapi-ops.shop.example.com", "TXT", "owner")]


def test_a_ttl_change_of_an_owned_record_is_a_change():
    result = plan(RECORDS, served(["203.0.113.7"], [MARKER], ttl=3600), "prod")
    assert ("shop.example.com", "A", "ttl") in kinds(result)


def test_an_alias_is_a_conflict_even_with_overwrite():
    result = plan(RECORDS, served(cname="shop.cdn.example.net"), "prod", overwrite=True)
    assert result["changes"] == []
    assert "CNAME shop.cdn.example.net" in conflict_message(result["conflicts"][0])


def test_ipv6_values_compare_in_canonical_form():
    hosts = [{"host": "web1", "ipv4": None, "ipv6": "2001:db8::7", "apps": [{"name": "shop", "domain": "shop.example.com"}]}]
    records = build_records(hosts, "example.com", owner="prod")
    current = {"shop.example.com AAAA": {"values": ["2001:0db8:0:0:0:0:0:7"], "ttl": 300},
               "_fastapi-ops.shop.example.com TXT": {"values": [MARKER], "ttl": 300}}
    assert plan(records, current, "prod")["changes"] == []
