"""tools/role_docs.py: the role variable tables and their check."""

from __future__ import annotations

import importlib.util
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SPEC = importlib.util.spec_from_file_location("role_docs", os.path.join(ROOT, "tools", "role_docs.py"))
role_docs = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(role_docs)

SPECS = """---
argument_specs:
  lock:
    short_description: Take the locks
    options:
      demo_dir:
        description: Where the locks are, see O(demo_user) and M(fastapi_ops.server.deploy_lock).
        type: path
        required: true
  main:
    short_description: The role
    options:
      demo_mode:
        description: [How it runs., "Pipes | are escaped."]
        type: str
        default: fast
        choices: [fast, safe]
      demo_apps:
        description: Apps.
        type: list
        elements: dict
        default: []
        options:
          name:
            description: The app's name.
            type: str
"""


@pytest.fixture
def role(tmp_path):
    path = tmp_path / "demo"
    (path / "meta").mkdir(parents=True)
    (path / "meta" / "argument_specs.yml").write_text(SPECS)
    (path / "README.md").write_text("# demo\n\nProse stays.\n")
    return path


def test_markup_becomes_markdown():
    assert role_docs.markdown("C(a) O(b=1) V(c) I(d) B(e) U(https://x.test) L(f, https://y.test)") == (
        "`a` `b=1` `c` *d* **e** https://x.test [f](https://y.test)")
    assert role_docs.markdown(["one", "two | three"]) == "one two \\| three"


def test_every_entry_point_gets_a_table_main_first(role):
    readme, current, wanted = role_docs.render(str(role))
    assert readme.endswith("README.md") and current == "# demo\n\nProse stays.\n"
    assert wanted.startswith("# demo\n\nProse stays.\n\n## Variables\n\n" + role_docs.BEGIN)
    assert wanted.index("### Entry point `main`") < wanted.index("### Entry point `lock` (`tasks_from: lock`)")
    assert "| `demo_mode` | str |  | `\"fast\"` | How it runs. Pipes \\| are escaped. Choices: `fast`, `safe`. |" in wanted
    assert "| `demo_apps[].name` | str |  |  | The app's name. |" in wanted
    assert "| `demo_dir` | path | yes |  | Where the locks are, see `demo_user` and `fastapi_ops.server.deploy_lock`. |" in wanted


def test_a_second_run_changes_nothing_and_keeps_the_prose(role):
    _readme, _current, wanted = role_docs.render(str(role))
    (role / "README.md").write_text(wanted + "\nMore prose.\n")
    _readme, current, again = role_docs.render(str(role))
    assert again == current


def test_a_changed_spec_makes_the_table_differ(role):
    _readme, _current, wanted = role_docs.render(str(role))
    (role / "README.md").write_text(wanted)
    spec = role / "meta" / "argument_specs.yml"
    spec.write_text(spec.read_text().replace("default: fast", "default: safe"))
    _readme, current, again = role_docs.render(str(role))
    assert again != current and '`"safe"`' in again


def test_a_role_without_readme_gets_one(role):
    (role / "README.md").unlink()
    _readme, current, wanted = role_docs.render(str(role))
    assert current == "" and wanted.startswith("# Role `fastapi_ops.server.demo`\n\n## Variables\n")
