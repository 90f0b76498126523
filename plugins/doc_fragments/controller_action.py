# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # A module whose work an action plugin of the same name does on the controller.
    DOCUMENTATION = r"""
attributes:
  action:
    support: full
    description:
      - The action plugin of the same name does the module's work in the
        controller's own process, with the same options and the same result;
        the module is neither built nor started, and the task's host is not
        contacted, whatever C(delegate_to) names.
      - Python libraries it needs are those of the Python that runs Ansible.
"""
