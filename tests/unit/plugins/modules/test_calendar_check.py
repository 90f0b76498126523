"""calendar_check: the host's systemd-analyze decides, each refusal names its field."""

import shutil

import pytest

pytestmark = pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze")

APP = {"name": "shop", "domain": "shop.example.com"}


def test_accepted_expressions_are_normalized(run_module):
    apps = [dict(APP, jobs={"cleanup": {"command": "x", "on_calendar": "daily"}})]
    result = run_module("calendar_check", apps=apps)
    assert result.get("failed") is not True, result
    assert result["calendars"][0]["where"] == "fastapi_apps[0] (shop).jobs.cleanup.on_calendar"
    assert result["calendars"][0]["normalized"] == "*-*-* 00:00:00"
    assert result["changed"] is False


def test_each_refused_expression_is_named_with_systemds_reason(run_module):
    apps = [dict(APP, jobs={"a": {"command": "x", "on_calendar": "every tuesday-ish"},
                            "b": {"command": "x", "on_calendar": "hourly"},
                            "c": {"command": "x", "on_calendar": "25:00"}})]
    result = run_module("calendar_check", apps=apps, check_mode=True)
    assert result["failed"] is True
    assert [p.split(":")[0] for p in result["problems"]] == [
        "fastapi_apps[0] (shop).jobs.a.on_calendar", "fastapi_apps[0] (shop).jobs.c.on_calendar"]
    assert "'every tuesday-ish' is not a calendar expression systemd accepts" in result["msg"]


def test_apps_without_jobs_check_nothing(run_module):
    assert run_module("calendar_check", apps=[APP])["calendars"] == []
