"""Background processes: the preflight of `processes`, the resolved units and the plan."""

import pytest

from ansible_collections.fastapi_ops.server.plugins.module_utils.apps import apps_problems
from ansible_collections.fastapi_ops.server.plugins.module_utils.model import resolve_app
from ansible_collections.fastapi_ops.server.plugins.module_utils.processes import (
    exec_line,
    processes_plan,
    processes_problems,
    systemd_quote,
)

SHOP = {"name": "shop", "domain": "shop.example.com", "asgi": "shop.main:app", "source": {"path": "shop"}}


# Preflight --------------------------------------------------------------------

def test_valid_processes_have_no_problems():
    app = dict(SHOP, processes={"worker": {"command": "celery -A shop.tasks worker", "count": 2, "stop_timeout": 60},
                                "consumer": {"command": ["python", "-m", "shop.consume"]},
                                "paused": {"command": "python -m shop.x", "count": 0}})
    assert apps_problems([app]) == []


@pytest.mark.parametrize("processes, message", [
    ("worker", "fastapi_apps[0] (shop).processes: must be a mapping"),
    ({"Worker": {"command": "x"}}, "fastapi_apps[0] (shop).processes.Worker: the name must start with a letter"),
    ({"w_1": {"command": "x"}}, "fastapi_apps[0] (shop).processes.w_1: the name must start with a letter"),
    ({"worker": "python -m w"}, "fastapi_apps[0] (shop).processes.worker: must be a mapping with command"),
    ({"worker": {}}, "fastapi_apps[0] (shop).processes.worker.command: missing"),
    ({"worker": {"command": ""}}, "fastapi_apps[0] (shop).processes.worker.command: must not be empty"),
    ({"worker": {"command": "a\nb"}}, "fastapi_apps[0] (shop).processes.worker.command: must be one line"),
    ({"worker": {"command": []}}, "fastapi_apps[0] (shop).processes.worker.command: must not be empty"),
    ({"worker": {"command": ["python", 3]}}, "fastapi_apps[0] (shop).processes.worker.command: must be a list of one-line"),
    ({"worker": {"command": 7}}, "fastapi_apps[0] (shop).processes.worker.command: must be a string"),
    ({"worker": {"command": "x", "count": -1}}, "fastapi_apps[0] (shop).processes.worker.count: must be a whole number from 0 to 32"),
    ({"worker": {"command": "x", "count": 33}}, "fastapi_apps[0] (shop).processes.worker.count: must be a whole number from 0 to 32"),
    ({"worker": {"command": "x", "count": True}}, "fastapi_apps[0] (shop).processes.worker.count: must be a whole number"),
    ({"worker": {"command": "x", "stop_timeout": 0}}, "fastapi_apps[0] (shop).processes.worker.stop_timeout: must be a whole number of seconds"),
    ({"worker": {"command": "x", "replicas": 2}}, "fastapi_apps[0] (shop).processes.worker.replicas: unknown key"),
])
def test_each_wrong_field_is_named(processes, message):
    problems = apps_problems([dict(SHOP, processes=processes)])
    assert len(problems) == 1, problems
    assert problems[0].startswith(message), problems


def test_no_processes_is_fine():
    assert processes_problems("x", None) == []


# Units -----------------------------------------------------------------------

def test_systemd_quote_keeps_dollar_percent_quotes_and_backslashes_literal():
    assert systemd_quote('say "hi" $HOME 100% \\n') == '"say \\"hi\\" $$HOME 100%% \\\\n"'


def test_a_string_command_runs_under_sh_exec_a_list_through_env():
    assert exec_line("celery -A shop worker") == '/bin/sh -c "exec celery -A shop worker"'
    assert exec_line(["python", "-m", "shop.worker", "--queue=a b"]) == '/usr/bin/env "python" "-m" "shop.worker" "--queue=a b"'


def test_the_model_names_each_process_unit_and_instance():
    app = resolve_app(dict(SHOP, processes={"worker": {"command": "python -m w", "count": 2}, "beat": {"command": "b"}}))
    assert [p["name"] for p in app["processes"]] == ["beat", "worker"]
    worker = app["processes"][1]
    assert worker["template"] == "fastapi-shop.worker@.service"
    assert worker["instances"] == ["fastapi-shop.worker@1.service", "fastapi-shop.worker@2.service"]
    assert (worker["count"], worker["stop_timeout"]) == (2, 30)
    assert app["processes"][0]["instances"] == ["fastapi-shop.beat@1.service"]
    assert app["process_unit_prefix"] == "fastapi-shop."
    assert app["processes_env_file"] == "/etc/fastapi-ops/shop.processes.env"


def test_an_app_without_processes_has_none():
    assert resolve_app(SHOP)["processes"] == []


# The plan --------------------------------------------------------------------

APP = resolve_app(dict(SHOP, processes={"worker": {"command": "w", "count": 2}}))
RUNNING = {"active": True, "enabled": True}


def test_nothing_to_do_when_every_wanted_instance_runs_and_is_enabled():
    state = {"units": ["fastapi-shop.worker@.service"],
             "instances": {"fastapi-shop.worker@1.service": RUNNING, "fastapi-shop.worker@2.service": RUNNING}}
    assert processes_plan(APP, state) == {"start": [], "stop": [], "remove": [], "restart": False}


def test_a_stopped_or_not_enabled_instance_starts():
    state = {"units": ["fastapi-shop.worker@.service"],
             "instances": {"fastapi-shop.worker@1.service": {"active": False, "enabled": True},
                           "fastapi-shop.worker@2.service": {"active": True, "enabled": False}}}
    assert processes_plan(APP, state)["start"] == ["fastapi-shop.worker@1.service", "fastapi-shop.worker@2.service"]


def test_a_restart_restarts_every_wanted_instance():
    state = {"units": [], "instances": {"fastapi-shop.worker@1.service": RUNNING}}
    plan = processes_plan(APP, state, restart=True)
    assert plan["start"] == ["fastapi-shop.worker@1.service", "fastapi-shop.worker@2.service"] and plan["restart"]


def test_a_lowered_count_and_a_removed_process_stop_and_its_unit_goes():
    state = {"units": ["fastapi-shop.old@.service", "fastapi-shop.worker@.service"],
             "instances": {"fastapi-shop.worker@1.service": RUNNING, "fastapi-shop.worker@2.service": RUNNING,
                           "fastapi-shop.worker@3.service": {"active": True, "enabled": False},
                           "fastapi-shop.old@1.service": {"active": False, "enabled": True},
                           "fastapi-shop.old@2.service": {"active": False, "enabled": False}}}
    plan = processes_plan(APP, state)
    assert plan["stop"] == ["fastapi-shop.old@1.service", "fastapi-shop.worker@3.service"]
    assert plan["remove"] == ["fastapi-shop.old@.service"]
    assert plan["start"] == []


def test_the_filter_plans_each_app_by_name_restarting_the_named_ones():
    from ansible_collections.fastapi_ops.server.plugins.filter.processes_plans import processes_plans
    other = resolve_app(dict(SHOP, name="wiki", domain="wiki.example.com"))
    plans = processes_plans([APP, other], {"shop": {"instances": {"fastapi-shop.worker@1.service": RUNNING}}}, ["shop"])
    assert plans["shop"]["restart"] and len(plans["shop"]["start"]) == 2
    assert plans["wiki"] == {"start": [], "stop": [], "remove": [], "restart": False}


# Jobs ------------------------------------------------------------------------

def test_valid_jobs_have_no_problems_and_resolve_to_a_service_and_a_timer():
    app = dict(SHOP, jobs={"cleanup": {"command": "python -m shop.cleanup", "on_calendar": "daily"},
                           "report": {"command": ["python", "-m", "shop.report"], "on_calendar": "Mon *-*-* 03:00", "timeout": 60}})
    assert apps_problems([app]) == []
    jobs = resolve_app(app)["jobs"]
    assert [j["name"] for j in jobs] == ["cleanup", "report"]
    assert (jobs[0]["service"], jobs[0]["timer"], jobs[0]["timeout"]) == ("fastapi-shop.cleanup.service", "fastapi-shop.cleanup.timer", 3600)
    assert jobs[1]["exec_start"] == '/usr/bin/env "python" "-m" "shop.report"'
    assert resolve_app(app)["background"] is True
    assert resolve_app(SHOP)["background"] is False


@pytest.mark.parametrize("jobs, message", [
    ([], "fastapi_apps[0] (shop).jobs: must be a mapping"),
    ({"Clean": {"command": "x", "on_calendar": "daily"}}, "fastapi_apps[0] (shop).jobs.Clean: the name must start"),
    ({"clean": "x"}, "fastapi_apps[0] (shop).jobs.clean: must be a mapping with command and on_calendar"),
    ({"clean": {"on_calendar": "daily"}}, "fastapi_apps[0] (shop).jobs.clean.command: missing"),
    ({"clean": {"command": "x"}}, "fastapi_apps[0] (shop).jobs.clean.on_calendar: missing"),
    ({"clean": {"command": "x", "on_calendar": 5}}, "fastapi_apps[0] (shop).jobs.clean.on_calendar: must be one line of text"),
    ({"clean": {"command": "x", "on_calendar": "daily\nhourly"}}, "fastapi_apps[0] (shop).jobs.clean.on_calendar: must be one line"),
    ({"clean": {"command": "x", "on_calendar": "daily", "timeout": 0}}, "fastapi_apps[0] (shop).jobs.clean.timeout: must be a whole number"),
    ({"clean": {"command": "x", "on_calendar": "daily", "every": 1}}, "fastapi_apps[0] (shop).jobs.clean.every: unknown key"),
    ({"clean": {"command": ["x", None], "on_calendar": "daily"}}, "fastapi_apps[0] (shop).jobs.clean.command: must be a list"),
])
def test_each_wrong_job_field_is_named(jobs, message):
    problems = apps_problems([dict(SHOP, jobs=jobs)])
    assert len(problems) == 1, problems
    assert problems[0].startswith(message), problems


def test_a_job_may_not_share_a_process_name():
    app = dict(SHOP, processes={"worker": {"command": "w"}}, jobs={"worker": {"command": "x", "on_calendar": "daily"}})
    assert apps_problems([app]) == [
        "fastapi_apps[0] (shop).jobs.worker: worker is also the name of a process; a job and a process need names of their own"]


def test_calendars_name_the_field_of_each_expression():
    from ansible_collections.fastapi_ops.server.plugins.module_utils.processes import calendars
    apps = [SHOP, dict(SHOP, name="wiki", jobs={"b": {"command": "x", "on_calendar": "hourly"}, "a": {"on_calendar": 3}})]
    assert calendars(apps) == [{"where": "fastapi_apps[1] (wiki).jobs.b.on_calendar", "calendar": "hourly"}]


def test_the_plan_starts_timers_and_stops_and_removes_a_removed_jobs_units():
    app = resolve_app(dict(SHOP, jobs={"report": {"command": "r", "on_calendar": "daily"}}))
    state = {"units": ["fastapi-shop.report.service", "fastapi-shop.report.timer",
                       "fastapi-shop.tick.service", "fastapi-shop.tick.timer"],
             "instances": {"fastapi-shop.report.service": {"active": True, "enabled": False},
                           "fastapi-shop.tick.timer": RUNNING,
                           "fastapi-shop.tick.service": {"active": True, "enabled": False}}}
    plan = processes_plan(app, state)
    # The job's own service is started by its timer, never by the plan.
    assert plan["start"] == ["fastapi-shop.report.timer"]
    assert plan["stop"] == ["fastapi-shop.tick.service", "fastapi-shop.tick.timer"]
    assert plan["remove"] == ["fastapi-shop.tick.service", "fastapi-shop.tick.timer"]


def test_status_lines_count_running_instances_and_show_each_jobs_last_and_next_run():
    from ansible_collections.fastapi_ops.server.plugins.module_utils.processes import status_lines

    app = resolve_app(dict(SHOP, processes={"worker": {"command": "python -m w", "count": 2}},
                           jobs={"cleanup": {"command": "python -m c", "on_calendar": "daily"}}))
    state = {"instances": {
        "fastapi-shop.worker@1.service": {"active": True},
        "fastapi-shop.worker@2.service": {"active": False},
        "fastapi-shop.cleanup.service": {"state": "inactive", "result": "exit-code", "exit_status": 3,
                                         "exited": "Wed 2026-12-02 00:00:05 UTC"},
        "fastapi-shop.cleanup.timer": {"state": "active", "next": "Thu 2026-12-03 00:00:00 UTC"},
    }}
    assert status_lines(app, state) == [
        "  process worker: 1 of 2 running (fastapi-shop.worker@.service)",
        "  job cleanup (daily): last run Wed 2026-12-02 00:00:05 UTC, exit-code (exit 3), "
        "next Thu 2026-12-03 00:00:00 UTC (fastapi-shop.cleanup.timer active)",
    ]
    assert status_lines(app, {}) == [
        "  process worker: 0 of 2 running (fastapi-shop.worker@.service)",
        "  job cleanup (daily): last run never, - (exit -), next - (fastapi-shop.cleanup.timer not loaded)",
    ]
    assert status_lines(resolve_app(SHOP), {}) == []
