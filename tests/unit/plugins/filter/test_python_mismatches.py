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


def test_the_projects_requires_python_is_checked_too():
    apps = [{"name": "a"}, {"name": "b", "python": ">=3.11"}, {"name": "c"}]
    sources = [
        {"requires_python": ">=3.14", "requires_python_from": "backend/pyproject.toml"},
        {"requires_python": ">=3.10"},
        {"problems": []},
    ]
    assert python_mismatches(apps, "3.11.2", "/usr/bin/python3", sources=sources) == [
        "fastapi_apps[0] (a).source: requires-python of backend/pyproject.toml '>=3.14' "
        "cannot be met by the Python 3.11.2 of /usr/bin/python3",
    ]
    assert python_mismatches(apps, "3.14.0", sources=sources) == []


def test_messages_number_the_app_in_the_whole_list():
    whole = [{"name": "first"}, {"name": "second", "python": ">=3.99"}]
    assert python_mismatches([whole[1]], "3.11.2", "Debian 12", all_apps=whole) == [
        "fastapi_apps[1] (second).python: '>=3.99' cannot be met by the Python 3.11.2 of Debian 12",
    ]


def test_sources_must_match_the_apps():
    with pytest.raises(AnsibleFilterError):
        python_mismatches([{"name": "a"}], "3.11.2", sources=[])
