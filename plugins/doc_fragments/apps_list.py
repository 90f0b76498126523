# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # The input of every filter that reads the whole apps list.
    DOCUMENTATION = r"""
options:
  _input:
    description: The C(fastapi_apps) list (docs/apps.md).
    type: list
    elements: dict
    required: true
"""
