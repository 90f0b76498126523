"""Each provider's argument mapping (filter dns_provider_args), checked against
the installed provider module's documented options and against the role's
task file that passes them on."""

import os
import re

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.fastapi_ops.server.plugins.filter.dns_provider_args import FilterModule

dns_provider_args = FilterModule().filters()["dns_provider_args"]

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
TASKS = os.path.join(ROOT, "roles", "dns", "tasks")

A = {"name": "shop.example.com", "zone": "example.com", "relative": "shop", "type": "A",
     "values": ["203.0.113.7", "203.0.113.8"], "ttl": 300, "hosts": ["web1", "web2"], "apps": ["shop"]}
APEX = dict(A, name="example.com", relative="@", values=["203.0.113.7"])
TXT = {"name": "_fastapi-ops.shop.example.com", "zone": "example.com", "relative": "_fastapi-ops.shop",
       "type": "TXT", "values": ["heritage=fastapi_ops.server,owner=prod"], "ttl": 300, "hosts": [], "apps": []}

MODULES = {
    "rfc2136": ("community.general.nsupdate", "community/general/plugins/modules/nsupdate.py"),
    "cloudflare": ("community.general.cloudflare_dns", "community/general/plugins/modules/cloudflare_dns.py"),
    "route53": ("amazon.aws.route53", "amazon/aws/plugins/modules/route53.py"),
    "digitalocean": ("community.digitalocean.digital_ocean_domain_record",
                     "community/digitalocean/plugins/modules/digital_ocean_domain_record.py"),
    "hetzner": ("hetzner.hcloud.zone_rrset", "hetzner/hcloud/plugins/modules/zone_rrset.py"),
}


def test_rfc2136_writes_the_whole_record_set_in_one_update():
    assert dns_provider_args([A], "rfc2136") == [{
        "state": "present", "zone": "example.com", "record": "shop.example.com.", "type": "A", "ttl": 300,
        "value": ["203.0.113.7", "203.0.113.8"],
    }]
    assert dns_provider_args([TXT], "rfc2136")[0]["value"] == ["heritage=fastapi_ops.server,owner=prod"]


def test_route53_replaces_the_record_set_and_quotes_txt():
    assert dns_provider_args([A], "route53") == [{
        "state": "present", "zone": "example.com", "record": "shop.example.com", "type": "A", "ttl": 300,
        "value": ["203.0.113.7", "203.0.113.8"], "overwrite": True, "wait": False,
    }]
    assert dns_provider_args([TXT], "route53")[0]["value"] == ['"heritage=fastapi_ops.server,owner=prod"']


def test_hetzner_uses_the_relative_name_and_one_rrset():
    assert dns_provider_args([APEX], "hetzner") == [{
        "state": "present", "zone": "example.com", "name": "@", "type": "A", "ttl": 300,
        "records": [{"value": "203.0.113.7"}],
    }]
    assert dns_provider_args([TXT], "hetzner")[0]["records"] == [{"value": '"heritage=fastapi_ops.server,owner=prod"'}]


def test_cloudflare_makes_one_call_per_value_first_one_replaces():
    assert dns_provider_args([A], "cloudflare") == [
        {"state": "present", "zone": "example.com", "record": "shop.example.com", "type": "A", "ttl": 300,
         "value": "203.0.113.7", "solo": True, "proxied": False},
        {"state": "present", "zone": "example.com", "record": "shop.example.com", "type": "A", "ttl": 300,
         "value": "203.0.113.8", "solo": False, "proxied": False},
    ]


def test_digitalocean_makes_one_call_per_value_with_the_relative_name():
    assert dns_provider_args([A, APEX], "digitalocean") == [
        {"state": "present", "domain": "example.com", "name": "shop", "type": "A", "ttl": 300,
         "data": "203.0.113.7", "force_update": True},
        {"state": "present", "domain": "example.com", "name": "shop", "type": "A", "ttl": 300,
         "data": "203.0.113.8", "force_update": False},
        {"state": "present", "domain": "example.com", "name": "@", "type": "A", "ttl": 300,
         "data": "203.0.113.7", "force_update": True},
    ]


def test_none_writes_nothing():
    assert dns_provider_args([A, TXT], "none") == []


def test_unknown_provider_is_an_error():
    with pytest.raises(AnsibleFilterError, match="unknown DNS provider 'godaddy'"):
        dns_provider_args([A], "godaddy")


def _module_options(path):
    """Options of an installed module, read from its DOCUMENTATION."""
    import ansible
    import ansible_collections

    bases = list(ansible_collections.__path__) + [
        os.path.join(os.path.dirname(os.path.dirname(ansible.__file__)), "ansible_collections")]
    full = next((os.path.join(b, path) for b in bases if os.path.exists(os.path.join(b, path))), os.path.join(bases[-1], path))
    if not os.path.exists(full):
        pytest.skip("%s is not installed" % path)
    with open(full) as handle:
        source = handle.read()
    match = re.search(r'DOCUMENTATION\s*=\s*r?("""|\'\'\')(.*?)\1', source, re.S)
    return yaml.safe_load(match.group(2))["options"]


def _task_file(provider):
    with open(os.path.join(TASKS, "provider_%s.yml" % provider)) as handle:
        return yaml.safe_load(handle)


@pytest.mark.parametrize("provider", sorted(MODULES))
def test_mapping_uses_only_options_the_module_has(provider):
    options = _module_options(MODULES[provider][1])
    for call in dns_provider_args([A, APEX, TXT], provider):
        assert set(call) <= set(options), sorted(set(call) - set(options))
        for key, value in call.items():
            choices = options[key].get("choices")
            if choices:
                assert value in choices, (key, value, choices)


@pytest.mark.parametrize("provider", sorted(MODULES))
def test_task_file_passes_every_mapped_argument_to_the_module(provider):
    fqcn = MODULES[provider][0]
    tasks = _task_file(provider)
    task = next(t for block in tasks for t in block.get("block", [block]) if fqcn in t)
    passed = {key: value for key, value in task[fqcn].items() if isinstance(value, str) and "item." in value}
    mapped = set(dns_provider_args([A], provider)[0])
    assert {key: re.sub(r"\s", "", value) for key, value in passed.items()} == {
        key: "{{item.%s}}" % key for key in mapped
    }
    assert task["no_log"] is True
    assert task["run_once"] is True and task["delegate_to"] == "localhost"
