# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # The memory arithmetic shared by worker_count and blue_green_fits.
    DOCUMENTATION = r"""
options:
  worker_memory_mb:
    description: Memory estimate of one worker, for apps that do not set their own.
    type: int
    default: 256
  master_memory_mb:
    description: Memory estimate of the Gunicorn master, for apps that do not set their own.
    type: int
    default: 96
  reserve_mb:
    description: Memory kept for the operating system, the proxy and everything else.
    type: int
    default: 512
  memory_total_mb:
    description: When not C(0), the memory to count instead of what the machine reports.
    type: int
    default: 0
"""
