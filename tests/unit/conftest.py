"""Make this checkout importable as ``ansible_collections.fastapi_ops.server``.

The plugins import each other by their collection path, as Ansible loads
them; the tests see the working tree through a symlink under .cache/.
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(ROOT, ".cache", "unit-collections")
LINK = os.path.join(COLLECTIONS, "ansible_collections", "fastapi_ops", "server")

if not os.path.islink(LINK):
    os.makedirs(os.path.dirname(LINK), exist_ok=True)
    os.symlink(ROOT, LINK)
sys.path.insert(0, COLLECTIONS)
