"""The apps list handed to roles that need no secrets."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.fastapi_ops.server.plugins.filter.public_apps import FilterModule

public_apps = FilterModule().filters()["public_apps"]


def test_secrets_are_dropped_and_everything_else_kept():
    apps = [
        {"name": "shop", "env": {"A": "1"}, "secrets": {"DATABASE_URL": "postgresql://x"}},
        {"name": "blog"},
    ]
    assert public_apps(apps) == [{"name": "shop", "env": {"A": "1"}}, {"name": "blog"}]


def test_the_input_is_not_modified():
    apps = [{"name": "shop", "secrets": {"TOKEN": "t"}}]
    public_apps(apps)
    assert apps[0]["secrets"] == {"TOKEN": "t"}


def test_refuses_what_is_not_a_list():
    with pytest.raises(AnsibleFilterError, match="fastapi_apps list"):
        public_apps({"name": "shop"})
