"""Where Caddy serves its Prometheus metrics: only an address that is not public by default."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.fastapi_ops.server.plugins.filter.caddy_metrics_listener import FilterModule

listener = FilterModule().filters()["caddy_metrics_listener"]


def test_loopback_v4():
    assert listener("127.0.0.1:9180") == {
        "bind": "127.0.0.1", "port": 9180, "url": "http://127.0.0.1:9180/metrics", "loopback": True}


def test_loopback_v6_in_brackets():
    assert listener("[::1]:9180") == {"bind": "::1", "port": 9180, "url": "http://[::1]:9180/metrics", "loopback": True}


def test_a_private_address_is_accepted_and_not_loopback():
    result = listener(" 10.8.0.1:9180 ")
    assert (result["bind"], result["loopback"]) == ("10.8.0.1", False)


@pytest.mark.parametrize("empty", ["", "  ", None])
def test_empty_means_no_listener(empty):
    assert listener(empty) is None


@pytest.mark.parametrize("wildcard", ["0.0.0.0:9180", "[::]:9180"])
def test_a_wildcard_address_is_refused(wildcard):
    with pytest.raises(AnsibleFilterError, match="every interface, the public one included"):
        listener(wildcard)


@pytest.mark.parametrize("value, message", [
    (":9180", "not ADDRESS:PORT"),
    ("localhost:9180", "not ADDRESS:PORT"),
    ("127.0.0.1", "not ADDRESS:PORT"),
    ("metrics.example.com:9180", "not ADDRESS:PORT"),
    ("999.1.1.1:9180", "is not an IP address"),
    ("::1:9180", "not ADDRESS:PORT"),
    ("[127.0.0.1]:9180", "an IPv6 address goes in brackets"),
    ("127.0.0.1:0", "not between 1 and 65535"),
    ("127.0.0.1:70000", "not between 1 and 65535"),
    ("127.0.0.1:443", "public sites' port"),
    ("127.0.0.1:80", "public sites' port"),
    ("[ff02::1]:9180", "multicast"),
])
def test_wrong_addresses_are_refused_with_the_reason(value, message):
    with pytest.raises(AnsibleFilterError, match="^caddy_metrics_listen: .*" + message.replace("(", r"\(")):
        listener(value)
