# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The modules whose work is done on the controller, run either way.

``dns_plan``, ``dns_wait`` and ``app_source`` keep their work in a function
``run(params, check_mode, command)`` that returns the task's result, and
their argument spec in a dict beside it. The module passes the parameters
AnsibleModule checked; the action plugin of the same name (in the controller's
own process, without building and starting the module) passes the task's
arguments checked against the same spec.

``command(args, cwd=None, binary=False)`` runs a program and answers ``(rc,
stdout, stderr)``, text unless ``binary``. A failure raises ``TaskFailed``.
"""

from __future__ import annotations


class TaskFailed(Exception):
    """The task fails with ``msg``; ``result`` holds its other keys."""

    def __init__(self, msg, **result):
        super().__init__(msg)
        self.msg = msg
        self.result = result


def module_command(module):
    """``command`` through the module's ``run_command``."""
    def command(args, cwd=None, binary=False):
        return module.run_command(args, cwd=cwd, encoding=None if binary else "utf-8")
    return command


def run_module(module, run):
    """Run ``run`` with the module's parameters; exit or fail the module."""
    try:
        result = run(module.params, module.check_mode, module_command(module))
    except TaskFailed as failure:
        module.fail_json(msg=failure.msg, **failure.result)
    module.exit_json(**result)
