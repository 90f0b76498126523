# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An app's environment file, as systemd's ``EnvironmentFile=`` reads it.

Every value is written double-quoted with the four characters systemd
unescapes inside double quotes (backslash, double quote, backtick, dollar)
escaped, so any string round-trips; ``parse`` reads the same syntax back (the
pre-start module runs commands with exactly what the service will get).
"""

from __future__ import annotations

import re

KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
ESCAPED = '\\"`$'


def quote(value):
    return '"%s"' % "".join("\\" + c if c in ESCAPED else c for c in str(value))


def render(variables, header=None):
    """Return the file's text for the mapping ``variables`` (keys sorted)."""
    lines = ["# %s" % line for line in (header or "").splitlines()]
    for key in sorted(variables):
        if not KEY_RE.match(str(key)):
            raise ValueError("%r is not a valid environment variable name" % (key,))
        value = variables[key]
        if value is None:
            value = ""
        elif isinstance(value, bool):
            value = "true" if value else "false"
        lines.append("%s=%s" % (key, quote(value)))
    return "\n".join(lines) + "\n"


def parse(text):
    """Parse ``KEY=VALUE`` lines (values bare, single- or double-quoted)."""
    result = {}
    i, n = 0, len(text)
    while i < n:
        # Skip blank lines, whitespace and comments.
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i < n and text[i] in "#;":
            while i < n and text[i] != "\n":
                i += 1
            continue
        if i >= n:
            break
        eq = text.find("=", i)
        newline = text.find("\n", i)
        if eq < 0 or (0 <= newline < eq):
            raise ValueError("line without '=': %r" % text[i:newline if newline >= 0 else n])
        key = text[i:eq].strip()
        i = eq + 1
        value = []
        quoted = False
        while i < n and text[i] in " \t":
            i += 1
        while i < n and text[i] != "\n":
            char = text[i]
            if char == '"':
                quoted = True
                i += 1
                while i < n and text[i] != '"':
                    if text[i] == "\\" and i + 1 < n and text[i + 1] in ESCAPED:
                        i += 1
                    elif text[i] == "\\" and i + 1 < n and text[i + 1] == "\n":
                        i += 2
                        continue
                    value.append(text[i])
                    i += 1
                i += 1
            elif char == "'":
                quoted = True
                end = text.find("'", i + 1)
                end = n if end < 0 else end
                value.append(text[i + 1:end])
                i = end + 1
            elif char == "\\" and i + 1 < n:
                value.append(text[i + 1])
                i += 2
            else:
                value.append(char)
                i += 1
        result[key] = "".join(value) if quoted else "".join(value).rstrip()
    return result
