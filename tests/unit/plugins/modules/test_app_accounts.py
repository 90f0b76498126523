"""app_accounts: an app's account is created, managed or reused, never taken over."""

import os
import pwd
from types import SimpleNamespace

import pytest

from ansible_collections.fastapi_ops.server.plugins.module_utils.model import resolve_app
from ansible_collections.fastapi_ops.server.plugins.modules.app_accounts import account_current, account_plan, shadow_password


def app(**changes):
    base = {"name": "shop", "domain": "shop.example.com"}
    base.update(changes)
    return resolve_app(base, index=0)


def entry(name, uid=998, home="/var/lib/fastapi-shop", gecos=""):
    return SimpleNamespace(pw_name=name, pw_uid=uid, pw_gid=uid, pw_gecos=gecos, pw_dir=home, pw_shell="/usr/sbin/nologin")


def test_a_missing_account_is_created():
    assert account_plan(app(), None) == ("create", None)


@pytest.mark.parametrize("existing", [
    entry("fastapi-shop", gecos="fastapi_ops.server app shop"),
    # Made by earlier versions: the default name, the app's state directory, no comment.
    entry("fastapi-shop"),
])
def test_an_account_the_collection_created_is_managed(existing):
    assert account_plan(app(), existing) == ("manage", None)


def test_an_existing_account_the_collection_did_not_create_is_refused_naming_the_field():
    action, problem = account_plan(app(user="backup"), entry("backup", uid=34, home="/var/backups"))
    assert action is None
    assert problem.startswith("fastapi_apps[0] (shop).user: the account backup exists and was not created by fastapi_ops.server")
    assert "user_existing: true" in problem


def test_a_marked_existing_account_is_reused_untouched():
    marked = app(user="backup", user_existing=True)
    assert account_plan(marked, entry("backup", uid=34, home="/var/backups")) == ("reuse", None)


def test_user_existing_for_a_missing_account_or_uid_0_is_refused():
    assert "does not exist on this host" in account_plan(app(user="nobody2", user_existing=True), None)[1]
    assert "has uid 0" in account_plan(app(user="toor", user_existing=True), entry("toor", uid=0))[1]


def test_the_module_reads_the_real_account_database(run_module):
    me = pwd.getpwuid(os.getuid()).pw_name
    result = run_module("app_accounts", apps=[app(user="nobody-here-%d" % os.getpid())], check_mode=True)
    assert result.get("failed") is not True, result
    assert result["accounts"]["shop"]["action"] == "create"
    refused = run_module("app_accounts", apps=[app(user=me)])
    assert refused["failed"] is True and refused["msg"].startswith("fastapi_apps[0] (shop).user: ")


def managed(gid=998, gecos="fastapi_ops.server app shop", home="/var/lib/fastapi-shop", shell="/usr/sbin/nologin"):
    return SimpleNamespace(pw_name="fastapi-shop", pw_uid=998, pw_gid=gid, pw_gecos=gecos, pw_dir=home, pw_shell=shell)


GROUP = SimpleNamespace(gr_name="fastapi-shop", gr_gid=998)


@pytest.mark.parametrize("password", ["!", "!!"])
def test_a_managed_account_as_the_role_makes_it_is_current(password):
    assert account_current(app(), managed(), GROUP, password) is True


@pytest.mark.parametrize("existing, group, password", [
    (managed(gid=100), GROUP, "!"),                      # another primary group
    (managed(gecos=""), GROUP, "!"),                     # made by an earlier version: the comment is written
    (managed(home="/home/shop"), GROUP, "!"),
    (managed(shell="/bin/bash"), GROUP, "!"),
    (managed(), None, "!"),                              # its group is missing
    (managed(), GROUP, "!$6$salt$hash"),                 # a password hash is set
    (managed(), GROUP, ""),                              # no password at all, not locked
    (managed(), GROUP, None),                            # the shadow file cannot be read
    (None, GROUP, "!"),
])
def test_any_difference_leaves_the_account_to_the_group_and_user_tasks(existing, group, password):
    assert account_current(app(), existing, group, password) is False


def test_the_shadow_password_field_is_read(tmp_path):
    shadow = tmp_path / "shadow"
    shadow.write_text("root:*:19000:0:99999:7:::\nfastapi-shop:!!:20789::::::\n")
    assert shadow_password("fastapi-shop", str(shadow)) == "!!"
    assert shadow_password("other", str(shadow)) is None
    assert shadow_password("fastapi-shop", str(tmp_path / "missing")) is None
