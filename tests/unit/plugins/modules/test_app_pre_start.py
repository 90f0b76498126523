"""app_pre_start: commands as the app user, with its environment file."""

import os
import pwd
import subprocess

import pytest

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="drops privileges, so it must start as root")
USER = "nobody"


@pytest.fixture
def env_file(tmp_path):
    path = tmp_path / "app.env"
    path.write_text('GREETING="hi there"\nTOKEN="tok-secret-123"\n')
    os.chmod(path, 0o600)
    os.chmod(tmp_path, 0o755)
    return str(path)


def test_commands_run_as_the_user_in_the_directory_with_the_environment(run_module, tmp_path, env_file):
    result = run_module("app_pre_start", commands=['echo "$(id -un)|$PWD|$GREETING|$EXTRA"', "true"], chdir=str(tmp_path),
                        user=USER, env_file=env_file, env={"EXTRA": "x"}, secret_names=["TOKEN"])
    assert result.get("failed") is not True, result
    assert result["changed"] is True
    assert result["results"][0]["output"] == "%s|%s|hi there|x\n" % (USER, tmp_path)
    assert [r["rc"] for r in result["results"]] == [0, 0]


def test_a_failure_names_the_command_status_and_output_with_secrets_masked(run_module, tmp_path, env_file):
    result = run_module("app_pre_start", commands=["true", 'echo "using $TOKEN"; echo broken >&2; exit 4', "touch never"],
                        chdir=str(tmp_path), user=USER, env_file=env_file, secret_names=["TOKEN"])
    assert result["failed"] is True
    assert result["msg"].startswith('pre-start command `echo "using $TOKEN"; echo broken >&2; exit 4` failed with exit status 4')
    assert "using ********\nbroken" in result["msg"]
    assert "tok-secret-123" not in str(result)
    assert len(result["results"]) == 2 and not (tmp_path / "never").exists()


def test_the_user_cannot_do_what_root_can(run_module, tmp_path):
    os.chmod(tmp_path, 0o755)
    result = run_module("app_pre_start", commands=["touch /root/owned-by-pre-start"], chdir=str(tmp_path), user=USER)
    assert result["failed"] is True and "Permission denied" in result["output"]
    assert pwd.getpwnam(USER).pw_uid != 0


def test_check_mode_runs_nothing(run_module, tmp_path):
    result = run_module("app_pre_start", check_mode=True, commands=["touch %s/ran" % tmp_path], chdir=str(tmp_path), user=USER)
    assert result["changed"] is True and not (tmp_path / "ran").exists()


def test_unknown_user_and_unreadable_env_file(run_module, tmp_path):
    assert "does not exist" in run_module("app_pre_start", commands=["true"], chdir=str(tmp_path), user="no-such-user")["msg"]
    assert "cannot read" in run_module("app_pre_start", commands=["true"], chdir=str(tmp_path), user=USER,
                                       env_file=str(tmp_path / "missing.env"))["msg"]


def test_a_command_past_its_timeout_is_stopped_with_every_process_it_started(run_module, tmp_path):
    os.chmod(tmp_path, 0o755)
    # A migration that starts children of its own and ignores SIGTERM; the
    # sleeps' odd lengths tell them from anything else on the machine.
    seconds = 3000 + os.getpid() % 1000
    marker = "sleep %d" % seconds
    command = "trap '' TERM; %s & %s; wait" % (marker, marker)
    result = run_module("app_pre_start", commands=[command], chdir=str(tmp_path), user=USER, timeout=1)
    assert result["failed"] is True and "(stopped after 1 s, with every process it started)" in result["output"]
    left = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True, check=False)
    assert left.stdout == "", left.stdout


def test_the_commands_see_only_the_apps_environment(run_module, tmp_path, env_file):
    result = run_module("app_pre_start", commands=["env"], chdir=str(tmp_path), user=USER, env_file=env_file,
                        env={"EXTRA": "x"})
    names = {line.split("=", 1)[0] for line in result["results"][0]["output"].splitlines()}
    # /bin/sh adds PWD (and, with some shells, SHLVL and _); nothing of the module's own.
    assert names - {"PWD", "SHLVL", "_"} == {"LANG", "GREETING", "TOKEN", "EXTRA"}, names


def test_files_the_commands_write_get_umask_027(run_module, tmp_path):
    os.chmod(tmp_path, 0o777)
    result = run_module("app_pre_start", commands=["touch made"], chdir=str(tmp_path), user=USER)
    assert result.get("failed") is not True, result
    assert (tmp_path / "made").stat().st_mode & 0o777 == 0o640


def test_every_id_is_the_users_and_no_capability_is_left(run_module, tmp_path):
    os.chmod(tmp_path, 0o755)
    result = run_module("app_pre_start", commands=["grep -E '^(Uid|Gid|CapPrm|CapEff|CapAmb):' /proc/self/status"],
                        chdir=str(tmp_path), user=USER)
    status = dict(line.split(":", 1) for line in result["results"][0]["output"].splitlines())
    entry = pwd.getpwnam(USER)
    assert status["Uid"].split() == [str(entry.pw_uid)] * 4  # real, effective, saved, file system
    assert status["Gid"].split() == [str(entry.pw_gid)] * 4
    assert {status[cap].strip() for cap in ("CapPrm", "CapEff", "CapAmb")} == {"0000000000000000"}
