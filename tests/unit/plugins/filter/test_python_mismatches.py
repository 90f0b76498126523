"""The python_mismatches filter: apps a host's interpreter cannot serve."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.fastapi_ops.server.plugins.filter.python_mismatches import FilterModule

python_mismatches = FilterModule().filters()["python_mismatches"]

APPS = [
    {"name": "any", "domain": "a.example.com"},
    {"name": "old", "python": ">=3.11"},
    {"name": "new", "python": ">=3.12"},
    {"name": "bad", "python": "3.11"},
]


def test_one_message_per_app_that_cannot_run():
    assert python_mismatches(APPS, "3.11.2", "Debian 12") == [
        "fastapi_apps[2] (new).python: '>=3.12' cannot be met by the Python 3.11.2 of Debian 12",
        "fastapi_apps[3] (bad).python: '3.11': '3.11' is not a PEP 440 specifier clause such as '>=3.11'",
    ]


def test_a_newer_interpreter_serves_them_all_but_the_invalid_one():
    assert [m.split(":")[0] for m in python_mismatches(APPS, "3.13.5")] == ["fastapi_apps[3] (bad).python"]


def test_not_a_list():
    with pytest.raises(AnsibleFilterError):
        python_mismatches({"name": "x"}, "3.11.2")
