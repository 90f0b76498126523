"""PEP 440 specifiers for an app's Python requirement."""

import pytest

from ansible_collections.fastapi_ops.server.plugins.module_utils.python_spec import (
    parse_specifier, specifier_allows, specifier_problem)


@pytest.mark.parametrize("spec, version, allowed", [
    (">=3.11", "3.11.2", True),
    (">=3.11", "3.10.12", False),
    (">=3.12", "3.11.2", False),
    (">3.11", "3.11.2", True),  # 3.11.2 > 3.11(.0)
    ("<3.13", "3.13.5", False),
    ("<=3.13", "3.13.0", True),
    ("~=3.11", "3.13.5", True),
    ("~=3.11.0", "3.11.9", True),
    ("~=3.11.0", "3.13.5", False),
    ("==3.13.*", "3.13.5", True),
    ("==3.13.*", "3.11.2", False),
    ("!=3.12.*", "3.12.1", False),
    ("!=3.12.*", "3.13.5", True),
    ("==3.11", "3.11.0", True),
    ("==3.11", "3.11.2", False),
    (">=3.11, <3.14", "3.13.5", True),
    (">=3.11,<3.13", "3.13.5", False),
])
def test_specifier_allows(spec, version, allowed):
    assert specifier_allows(spec, version) is allowed


@pytest.mark.parametrize("spec, reason", [
    ("3.11", "is not a PEP 440 specifier clause"),
    (">=3.11a1", "is not a PEP 440 specifier clause"),
    (">=3.*", "'.*' is only allowed with == and !="),
    ("~=3", "~= needs at least two version parts"),
    ("", "must be a PEP 440 specifier"),
    (">=3.11,,<4", "is not a PEP 440 specifier clause"),
])
def test_invalid_specifiers_say_why(spec, reason):
    assert reason in specifier_problem(spec)


def test_valid_specifier_has_no_problem():
    assert specifier_problem(">=3.11, !=3.12.*") is None
    assert parse_specifier("==3.13.*") == [("==", (3, 13), True)]


def test_interpreter_version_must_be_a_release():
    with pytest.raises(ValueError):
        specifier_allows(">=3.11", "3.13.0rc1")
