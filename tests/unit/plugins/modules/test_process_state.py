"""process_state: only units carrying the collection's marker are reported."""

from ansible_collections.fastapi_ops.server.plugins.module_utils.model import resolve_app
from ansible_collections.fastapi_ops.server.plugins.module_utils.processes import UNIT_MARKER


def test_reports_our_units_only_and_each_wanted_instance(run_module, tmp_path):
    app = resolve_app({"name": "shop", "domain": "shop.example.com", "processes": {"worker": {"command": "w"}}})
    (tmp_path / "fastapi-shop.worker@.service").write_text(UNIT_MARKER + "\n[Unit]\n")
    (tmp_path / "fastapi-shop.gone@.service").write_text(UNIT_MARKER + "\n[Unit]\n")
    # A unit someone else wrote with a name like ours is never reported.
    (tmp_path / "fastapi-shop.theirs@.service").write_text("[Unit]\nDescription=not ours\n")
    wants = tmp_path / "multi-user.target.wants"
    wants.mkdir()
    (wants / "fastapi-shop.gone@1.service").symlink_to(tmp_path / "fastapi-shop.gone@.service")
    (wants / "fastapi-shop.theirs@1.service").symlink_to(tmp_path / "fastapi-shop.theirs@.service")
    result = run_module("process_state", apps=[app], unit_dir=str(tmp_path))
    assert result.get("failed") is not True, result
    shop = result["state"]["shop"]
    assert shop["units"] == ["fastapi-shop.gone@.service", "fastapi-shop.worker@.service"]
    assert sorted(shop["instances"]) == ["fastapi-shop.gone@1.service", "fastapi-shop.worker@1.service"]
    assert result["changed"] is False


def test_an_app_that_is_not_resolved_is_refused(run_module):
    result = run_module("process_state", apps=[{"name": "shop"}])
    assert result["failed"] is True and "process_unit_prefix" in result["msg"]


def test_reports_job_units_and_a_removed_jobs_enabled_timer(run_module, tmp_path):
    app = resolve_app({"name": "shop", "domain": "shop.example.com",
                       "jobs": {"report": {"command": "r", "on_calendar": "daily"}}})
    for unit in ("fastapi-shop.report.service", "fastapi-shop.report.timer", "fastapi-shop.tick.timer"):
        (tmp_path / unit).write_text(UNIT_MARKER + "\n[Unit]\n")
    wants = tmp_path / "timers.target.wants"
    wants.mkdir()
    (wants / "fastapi-shop.tick.timer").symlink_to(tmp_path / "fastapi-shop.tick.timer")
    shop = run_module("process_state", apps=[app], unit_dir=str(tmp_path))["state"]["shop"]
    assert shop["units"] == ["fastapi-shop.report.service", "fastapi-shop.report.timer", "fastapi-shop.tick.timer"]
    assert sorted(shop["instances"]) == ["fastapi-shop.report.service", "fastapi-shop.report.timer", "fastapi-shop.tick.timer"]
    assert set(shop["instances"]["fastapi-shop.report.timer"]) >= {"next", "last"}
    assert set(shop["instances"]["fastapi-shop.report.service"]) >= {"result", "exit_status", "exited"}
