# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PEP 440 version specifiers for an app's ``python`` requirement.

An interpreter's version is a plain release (``3.11.2``), so only release
numbers are supported in the specifier (``>=3.11``, ``~=3.12``,
``==3.13.*``, ``!=3.12.*,<3.14``); pre-releases are refused as invalid.
Standard library only, so it runs wherever the filters run.
"""

from __future__ import annotations

import re

CLAUSE_RE = re.compile(r"^(?P<op>~=|===|==|!=|<=|>=|<|>)\s*(?P<version>[0-9]+(?:\.[0-9]+)*)(?P<wild>\.\*)?$")


def _parse_version(text):
    if not isinstance(text, str) or not re.match(r"^[0-9]+(\.[0-9]+)*$", text.strip()):
        raise ValueError("%r is not a release version such as 3.11.2" % (text,))
    return tuple(int(part) for part in text.strip().split("."))


def _pad(version, length):
    return version + (0,) * (length - len(version))


def parse_specifier(spec):
    """Return ``[(op, version_tuple, wildcard)]`` or raise ValueError."""
    if not isinstance(spec, str) or not spec.strip():
        raise ValueError("must be a PEP 440 specifier such as '>=3.11'")
    clauses = []
    for clause in spec.split(","):
        match = CLAUSE_RE.match(clause.strip())
        if not match:
            raise ValueError("%r is not a PEP 440 specifier clause such as '>=3.11'" % clause.strip())
        op, wild = match.group("op"), bool(match.group("wild"))
        version = _parse_version(match.group("version"))
        if wild and op not in ("==", "!="):
            raise ValueError("%r: '.*' is only allowed with == and !=" % clause.strip())
        if op == "~=" and len(version) < 2:
            raise ValueError("%r: ~= needs at least two version parts" % clause.strip())
        clauses.append((op, version, wild))
    return clauses


def specifier_problem(spec):
    """None if ``spec`` is a valid specifier, else the reason it is not."""
    try:
        parse_specifier(spec)
    except ValueError as error:
        return str(error)
    return None


def _clause_allows(op, wanted, wild, version):
    if wild:
        prefix = _pad(version, len(wanted))[:len(wanted)] == wanted
        return prefix if op == "==" else not prefix
    length = max(len(wanted), len(version))
    have, want = _pad(version, length), _pad(wanted, length)
    if op in ("==", "==="):
        return have == want
    if op == "!=":
        return have != want
    if op == "<=":
        return have <= want
    if op == ">=":
        return have >= want
    if op == "<":
        return have < want
    if op == ">":
        return have > want
    # op == "~=": >= wanted and == wanted[:-1].*
    return have >= want and version[:len(wanted) - 1] == wanted[:-1]


def specifier_allows(spec, version):
    """True if the interpreter ``version`` (``'3.11.2'``) meets ``spec``."""
    parsed = _parse_version(version)
    return all(_clause_allows(op, wanted, wild, parsed) for op, wanted, wild in parse_specifier(spec))
