"""The propagation check against fake name servers and a fake clock."""

import pytest

from ansible_collections.fastapi_ops.server.plugins.module_utils.dns_query import failure_message, find_servers, wait_for

RECORDS = [{"name": "shop.example.com", "zone": "example.com", "type": "A", "values": ["203.0.113.7"]}]
SERVERS = [{"name": "ns1.example.net", "address": "192.0.2.1"}, {"name": "ns2.example.net", "address": "192.0.2.2"}]


class Clock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class Servers:
    """Answers like authoritative servers; ns2 learns the change after ``lag`` seconds."""

    def __init__(self, clock, lag):
        self.clock = clock
        self.lag = lag
        self.asked = []

    def query(self, address, name, rtype):
        self.asked.append((self.clock.now, address))
        if address == "192.0.2.2" and self.clock.now < self.lag:
            return {"values": ["198.51.100.1"], "ttl": 300, "cname": None, "error": None}
        return {"values": ["203.0.113.7"], "ttl": 300, "cname": None, "error": None}


def test_returns_at_once_when_every_server_already_answers():
    clock = Clock()
    result = wait_for(RECORDS, SERVERS, Servers(clock, 0).query, 60, 5, clock=clock, sleep=clock.sleep)
    assert result == {"ok": True, "rounds": 1, "elapsed": 0.0, "pending": []}
    assert clock.sleeps == []


def test_waits_until_the_lagging_server_answers_and_stops_asking_the_others():
    clock = Clock()
    servers = Servers(clock, 12)
    result = wait_for(RECORDS, SERVERS, servers.query, 60, 5, clock=clock, sleep=clock.sleep)
    assert result["ok"] and result["rounds"] == 4 and result["elapsed"] == 15.0
    assert [a for t, a in servers.asked if t > 0] == ["192.0.2.2"] * 3


def test_times_out_naming_which_server_said_what():
    clock = Clock()
    result = wait_for(RECORDS, SERVERS, Servers(clock, 1000).query, 20, 5, clock=clock, sleep=clock.sleep)
    assert not result["ok"]
    assert result["elapsed"] <= 20
    assert result["pending"] == [{"server": "ns2.example.net", "address": "192.0.2.2", "name": "shop.example.com",
                                  "type": "A", "wanted": ["203.0.113.7"], "answered": "198.51.100.1"}]
    assert failure_message(result, 20) == (
        "after 20s the authoritative servers do not all serve the new records: "
        "shop.example.com A: ns2.example.net (192.0.2.2) answered 198.51.100.1, wanted 203.0.113.7"
    )


@pytest.mark.parametrize("answer, said", [
    ({"values": [], "ttl": None, "cname": None, "error": None}, "no record"),
    ({"values": [], "ttl": None, "cname": None, "error": "no answer (timeout)"}, "no answer (timeout)"),
    ({"values": [], "ttl": None, "cname": "cdn.example.net", "error": None}, "CNAME cdn.example.net"),
    ({"values": ["203.0.113.7", "203.0.113.8"], "ttl": 300, "cname": None, "error": None}, "203.0.113.7, 203.0.113.8"),
])
def test_anything_but_exactly_the_wanted_values_keeps_waiting(answer, said):
    clock = Clock()
    result = wait_for(RECORDS, SERVERS[:1], lambda *a: answer, 3, 1, clock=clock, sleep=clock.sleep)
    assert not result["ok"] and result["pending"][0]["answered"] == said


class Resolver:
    def __init__(self, table):
        self.table = table

    def __call__(self, name, rtype):
        return self.table.get((name, rtype), [])


def test_servers_come_from_the_zone_ns_records():
    resolve = Resolver({
        ("example.com", "NS"): ["ns2.example.net.", "ns1.example.net."],
        ("ns1.example.net", "A"): ["192.0.2.1"], ("ns1.example.net", "AAAA"): ["2001:db8::1"],
        ("ns2.example.net", "A"): ["192.0.2.2"],
    })
    assert find_servers(["example.com"], [], resolve) == [
        {"name": "ns1.example.net", "address": "192.0.2.1"},
        {"name": "ns1.example.net", "address": "2001:db8::1"},
        {"name": "ns2.example.net", "address": "192.0.2.2"},
    ]


def test_an_explicit_list_wins_over_the_ns_records():
    resolve = Resolver({("example.com", "NS"): ["ns1.example.net."]})
    assert find_servers(["example.com"], ["192.0.2.53"], resolve) == [{"name": "192.0.2.53", "address": "192.0.2.53"}]


def test_a_zone_without_ns_records_is_an_error():
    with pytest.raises(LookupError, match="example.com has no NS records; set dns_nameservers"):
        find_servers(["example.com"], [], Resolver({}))
