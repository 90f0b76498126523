# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # How the DNS modules ask the name servers.
    DOCUMENTATION = r"""
options:
  port:
    description: DNS port of the name servers.
    type: int
    default: 53
  query_timeout:
    description: Seconds to wait for one answer.
    type: int
    default: 3
"""
