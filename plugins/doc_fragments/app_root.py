# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # The option every filter that computes an app's paths takes.
    DOCUMENTATION = r"""
options:
  root:
    description: Directory under which each app gets its own home (C(ROOT/NAME)).
    type: str
    default: /srv/fastapi
"""
