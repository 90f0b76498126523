"""Run a module of the collection as Ansible would: a process of its own
with its arguments in a JSON file, answering with JSON on stdout."""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
COLLECTIONS = os.path.join(ROOT, ".cache", "unit-collections")


@pytest.fixture
def run_module(tmp_path):
    def run(_module, check_mode=False, **args):
        if check_mode:
            args["_ansible_check_mode"] = True
        args_file = tmp_path / ("%s-args.json" % _module)
        args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
        env = dict(os.environ, PYTHONPATH=COLLECTIONS + os.pathsep + os.environ.get("PYTHONPATH", ""))
        done = subprocess.run([sys.executable, os.path.join(ROOT, "plugins", "modules", _module + ".py"), str(args_file)],
                              capture_output=True, text=True, env=env, check=False)
        try:
            return json.loads(done.stdout)
        except ValueError:
            raise AssertionError("module printed no JSON:\n%s\n%s" % (done.stdout, done.stderr))
    return run
