"""probe: a role's probe command on the host, read on the controller."""

import pytest

from ansible_collections.fastapi_ops.server.plugins.module_utils.probe import (
    account_current,
    group_exists,
    packages_missing,
    probe_values,
)

PASSWD = "caddy:x:998:997:Caddy web server:/var/lib/caddy:/usr/sbin/nologin"
GROUP = "caddy:x:997:"
WANT = dict(name="caddy", group="caddy", home="/var/lib/caddy", shell="/usr/sbin/nologin", comment="Caddy web server")


def test_each_line_is_a_key_and_its_value_and_the_first_line_of_a_key_wins():
    text = "group caddy:x:997:\nuser \n\nenabled enabled\nactive active\nactive inactive\nuv-version uv 0.13.9\n"
    assert probe_values(text) == {"group": "caddy:x:997:", "user": "", "enabled": "enabled", "active": "active",
                                  "uv-version": "uv 0.13.9"}


def test_dpkg_lines_beside_the_probe_keys_do_not_disturb_them():
    values = probe_values("python3.11 ii \npython3.11-venv un \ngroup caddy:x:997:\n")
    assert values["group"] == "caddy:x:997:" and values["python3.11"] == "ii"


def test_probe_output_must_be_text():
    with pytest.raises(TypeError):
        probe_values(None)


def test_an_account_as_the_user_module_makes_it_is_current():
    assert account_current(PASSWD, GROUP, **WANT) is True


@pytest.mark.parametrize("passwd, group", [
    ("", GROUP),                                                                        # no account
    (PASSWD, ""),                                                                       # no group
    ("caddy:x:998:100:Caddy web server:/var/lib/caddy:/usr/sbin/nologin", GROUP),       # another primary group
    ("caddy:x:998:997:Caddy:/var/lib/caddy:/usr/sbin/nologin", GROUP),                  # another comment
    ("caddy:x:998:997:Caddy web server:/home/caddy:/usr/sbin/nologin", GROUP),          # another home
    ("caddy:x:998:997:Caddy web server:/var/lib/caddy:/bin/bash", GROUP),               # another shell
    ("www:x:998:997:Caddy web server:/var/lib/caddy:/usr/sbin/nologin", GROUP),         # another account
    ("caddy:x:998", GROUP),                                                             # not a passwd line
])
def test_an_account_that_differs_in_anything_the_user_module_sets_is_not_current(passwd, group):
    assert account_current(passwd, group, **WANT) is False


def test_a_group_exists_only_when_getent_printed_it():
    assert group_exists(GROUP, "caddy") is True
    assert group_exists("", "caddy") is False
    assert group_exists("www-data:x:33:", "caddy") is False
    assert group_exists("caddy", "caddy") is False


def test_packages_that_dpkg_query_reports_installed_or_held_are_not_missing():
    text = "python3.11 ii \npython3.11-venv hi \npython3-dev un \nacl rc \nlibc6 iU \nbroken iiR\nuv-version uv 0.13.9\n"
    wanted = ["python3.11", "python3.11-venv", "python3-dev", "acl", "libc6", "broken", "unknown"]
    # un: never installed; rc: removed, its configuration left; iU: unpacked,
    # not configured; iiR: needs reinstalling; unknown: dpkg-query printed nothing.
    assert packages_missing(text, wanted) == ["python3-dev", "acl", "libc6", "broken", "unknown"]


def test_no_package_is_missing_when_every_one_is_installed_and_an_empty_list_needs_nothing():
    assert packages_missing("a ii\nb ii \n", ["b", "a"]) == []
    assert packages_missing("", []) == []
    assert packages_missing("", ["a"]) == ["a"]


def test_dpkg_query_output_must_be_text():
    with pytest.raises(TypeError):
        packages_missing(None, ["a"])
