"""What BIND serves after the role ran: asked on the name server itself, as
a user would check with dig."""

import os

import pytest
import testinfra

testinfra_hosts = ["ansible://dns-bind"]

INVENTORY = os.environ.get("MOLECULE_INVENTORY_FILE")
SHOP_NAMES = ["shop.example.test", "www.shop.example.test", "api.example.test"]


def target(name):
    return testinfra.get_host("ansible://%s" % name, ansible_inventory=INVENTORY)


def ipv4_of(name):
    out = target(name).check_output("ip -4 -o address show dev eth0")
    return out.split()[3].split("/")[0]


def dig(host, name, rtype):
    """(ttl, value) pairs BIND answers for NAME TYPE."""
    out = host.check_output("dig +noall +answer +norecurse @127.0.0.1 %s %s" % (name, rtype))
    pairs = []
    for line in out.splitlines():
        fields = line.split(None, 4)
        if len(fields) == 5 and fields[3] == rtype:
            pairs.append((int(fields[1]), fields[4].strip('"')))
    return sorted(pairs)


@pytest.mark.parametrize("name", SHOP_NAMES)
def test_shop_names_point_at_debian12_with_the_app_ttl(host, name):
    assert dig(host, name, "A") == [(120, ipv4_of("dns-debian12"))]
    assert dig(host, name, "AAAA") == [(120, "2001:db8::12")]


def test_blog_points_at_debian13_with_the_default_ttl(host):
    assert dig(host, "blog.example.test", "A") == [(300, ipv4_of("dns-debian13"))]
    assert dig(host, "blog.example.test", "AAAA") == [(300, "2001:db8::13")]


def test_name_of_both_hosts_holds_both_addresses(host):
    want = sorted([ipv4_of("dns-debian12"), ipv4_of("dns-debian13")])
    assert [value for _ttl, value in dig(host, "status.example.test", "A")] == want
    assert [value for _ttl, value in dig(host, "status.example.test", "AAAA")] == ["2001:db8::12", "2001:db8::13"]


@pytest.mark.parametrize("name", SHOP_NAMES + ["blog.example.test", "status.example.test"])
def test_every_published_name_carries_the_owner_marker(host, name):
    assert [v for _t, v in dig(host, "_fastapi-ops.%s" % name, "TXT")] == ["heritage=fastapi_ops.server,owner=molecule"]


def test_skipped_app_has_no_record(host):
    assert dig(host, "intranet.example.test", "A") == []
    assert "NXDOMAIN" in host.check_output("dig +norecurse @127.0.0.1 intranet.example.test A")


def test_records_of_others_are_untouched(host):
    assert dig(host, "mail.example.test", "A") == [(300, "192.0.2.25")]
    assert dig(host, "ns1.example.test", "A") == [(300, "192.0.2.53")]
    assert dig(host, "_fastapi-ops.mail.example.test", "TXT") == []


def test_records_came_as_signed_updates_from_the_controller(host):
    journal = host.check_output("journalctl -u named --no-pager -o cat")
    controller = host.check_output("ip -4 route show default").split()[2]
    assert "%s#" % controller in journal
    assert "/key fastapi-ops-lab: updating zone 'example.test/IN': adding an RR at 'blog.example.test' A" in journal
