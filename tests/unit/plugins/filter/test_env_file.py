"""The env_file filter."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.fastapi_ops.server.plugins.filter.env_file import FilterModule

env_file = FilterModule().filters()["env_file"]


def test_renders_sorted_quoted_lines_with_a_header():
    assert env_file({"TOKEN": "a$b", "LEVEL": "info"}, "Managed by Ansible") == (
        '# Managed by Ansible\nLEVEL="info"\nTOKEN="a\\$b"\n')


def test_refuses_what_systemd_cannot_read():
    with pytest.raises(AnsibleFilterError, match="not a valid environment variable name"):
        env_file({"NOT-VALID": "x"})
    with pytest.raises(AnsibleFilterError, match="mapping"):
        env_file(["A=1"])
