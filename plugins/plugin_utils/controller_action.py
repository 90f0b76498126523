# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugins that do a controller-side module's work in the controller.

A module that only ever runs on the controller (``delegate_to: localhost``)
costs a module build and a new Python per call. Its action plugin of the same
name does the same work in the worker process instead: it checks the task's
arguments against the module's argument spec, calls the module's ``run``
function from module_utils and answers the result the module would give,
without contacting the task's host.
"""

from __future__ import annotations

import os
import subprocess

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import UnsupportedError
from ansible.plugins.action import ActionBase
from ansible_collections.fastapi_ops.server.plugins.module_utils.controller_task import TaskFailed


def run_command(args, cwd=None, binary=False):
    """``command`` in the controller's process, as ``module.run_command``
    would run it: user and variables expanded, text decoded unless ``binary``.
    """
    args = [os.path.expanduser(os.path.expandvars(arg)) for arg in args]
    if cwd:
        cwd = os.path.abspath(os.path.expanduser(cwd))
    try:
        done = subprocess.run(args, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, check=False)
    except OSError as exc:
        raise TaskFailed(str(exc), rc=exc.errno, stdout="", stderr="", cmd=" ".join(args)) from exc
    if binary:
        return done.returncode, done.stdout, done.stderr
    return done.returncode, done.stdout.decode("utf-8", "surrogateescape"), done.stderr.decode("utf-8", "surrogateescape")


def validation_error(validation, name):
    """The message AnsibleModule fails with for the first wrong argument, or None."""
    if not validation.error_messages:
        return None
    msg = validation.errors.msg
    if isinstance(validation.errors[0], UnsupportedError):
        msg = "Unsupported parameters for (%s) module: %s" % (name, msg)
    return msg


class ControllerAction(ActionBase):
    """Base of the action plugins: set ``argument_spec`` and ``work``
    (``staticmethod(run)``, ``run(params, check_mode, command)``)."""

    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False
    argument_spec: dict = {}

    @staticmethod
    def work(params, check_mode, command):
        raise NotImplementedError

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        validation = ArgumentSpecValidator(self.argument_spec).validate(self._task.args)
        params = validation.validated_parameters
        msg = validation_error(validation, self._task.action)
        if msg:
            result.update(failed=True, msg=msg)
        else:
            try:
                result.update(self.work(params, bool(self._task.check_mode), run_command))
            except TaskFailed as failure:
                result.update(failure.result, failed=True, msg=failure.msg)
        result["invocation"] = {"module_args": params}
        return remove_values(result, validation._no_log_values)  # pylint: disable=protected-access
