"""Role variable tables in each role's README, from its meta/argument_specs.yml.

    python tools/role_docs.py            rewrite the tables (make role-docs)
    python tools/role_docs.py --check    exit 1 when a table differs from its specs (make lint)

Every role under roles/ with a meta/argument_specs.yml gets one table per
entry point (main first, then the others in the file's order), between the
two marker comments below. A README without the markers gets a "Variables"
section at its end; a role without a README gets one holding only that.
Ansible markup (C(), O(), V(), M(), P(), I(), B(), U(), L()) becomes Markdown.
"""

import argparse
import difflib
import json
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN = ("<!-- BEGIN role variables: generated from meta/argument_specs.yml by "
         "tools/role_docs.py (make role-docs); do not edit by hand -->")
END = "<!-- END role variables -->"
MARKED = re.compile(re.escape(BEGIN.split(":", maxsplit=1)[0]) + r".*?" + re.escape(END), re.S)
MAX_DEFAULT = 60

_MARKUP = [
    (re.compile(r"L\(([^)]+?),\s*([^)]+)\)"), lambda m: "[%s](%s)" % (m.group(1), m.group(2))),
    (re.compile(r"U\(([^)]+)\)"), lambda m: m.group(1)),
    (re.compile(r"I\(([^)]+)\)"), lambda m: "*%s*" % m.group(1)),
    (re.compile(r"B\(([^)]+)\)"), lambda m: "**%s**" % m.group(1)),
    (re.compile(r"P\(([^)#]+)#[a-z_]+\)"), lambda m: "`%s`" % m.group(1)),
    (re.compile(r"(?:RV|[COVEM])\(((?:[^()]|\([^()]*\))+)\)"), lambda m: "`%s`" % m.group(1)),
]


def markdown(text):
    """One table cell from an Ansible description (string or list of paragraphs)."""
    if text is None:
        return ""
    if isinstance(text, list):
        text = " ".join(str(t) for t in text)
    text = " ".join(str(text).split())
    for pattern, repl in _MARKUP:
        text = pattern.sub(repl, text)
    return text.replace("|", "\\|")


def default_cell(spec):
    if "default" not in spec:
        return ""
    value = spec["default"]
    if isinstance(value, str):
        shown = json.dumps(value)
    else:
        shown = json.dumps(value, sort_keys=True, separators=(", ", ": "))
    if len(shown) > MAX_DEFAULT:
        return "(long; see `defaults/main.yml`)"
    return "`%s`" % shown.replace("|", "\\|")


def type_cell(spec):
    kind = spec.get("type", "str")
    if kind == "list" and spec.get("elements"):
        kind = "list of %s" % spec["elements"]
    return kind


def rows(options, prefix=""):
    for name in sorted(options or {}):
        spec = options[name] or {}
        desc = markdown(spec.get("description"))
        if spec.get("choices"):
            desc += " Choices: %s." % ", ".join("`%s`" % c for c in spec["choices"])
        yield "| `%s%s` | %s | %s | %s | %s |" % (
            prefix, name, type_cell(spec), "yes" if spec.get("required") else "",
            default_cell(spec), desc.strip())
        sub = spec.get("options") or spec.get("suboptions")
        if sub:
            yield from rows(sub, prefix + name + ("[]." if spec.get("type") == "list" else "."))


def section(role, specs):
    order = list(specs)
    entry_points = sorted(order, key=lambda e: (e != "main", order.index(e)))
    out = [BEGIN, ""]
    for entry in entry_points:
        spec = specs[entry] or {}
        how = "the role" if entry == "main" else "`tasks_from: %s`" % entry
        out.append("### Entry point `%s` (%s)" % (entry, how))
        out.append("")
        if spec.get("short_description"):
            out.append(markdown(spec["short_description"]))
            out.append("")
        options = spec.get("options") or {}
        if options:
            out.append("| variable | type | required | default | description |")
            out.append("| --- | --- | --- | --- | --- |")
            out.extend(rows(options))
        else:
            out.append("No variables.")
        out.append("")
    out.append("`ansible-doc -t role fastapi_ops.server.%s` prints the same from the installed collection." % role)
    out.append("")
    out.append(END)
    return "\n".join(out)


def render(role_dir):
    role = os.path.basename(role_dir)
    with open(os.path.join(role_dir, "meta", "argument_specs.yml"), encoding="utf-8") as f:
        specs = (yaml.safe_load(f) or {}).get("argument_specs") or {}
    readme = os.path.join(role_dir, "README.md")
    current = ""
    if os.path.exists(readme):
        with open(readme, encoding="utf-8") as f:
            current = f.read()
    new_section = section(role, specs)
    if MARKED.search(current):
        wanted = MARKED.sub(lambda _m: new_section, current, count=1)
    elif current:
        wanted = current.rstrip("\n") + "\n\n## Variables\n\n" + new_section + "\n"
    else:
        wanted = "# Role `fastapi_ops.server.%s`\n\n## Variables\n\n%s\n" % (role, new_section)
    return readme, current, wanted


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when a README's table differs from its specs")
    args = parser.parse_args()
    roles_dir = os.path.join(ROOT, "roles")
    stale = []
    for name in sorted(os.listdir(roles_dir)):
        role_dir = os.path.join(roles_dir, name)
        if not os.path.isfile(os.path.join(role_dir, "meta", "argument_specs.yml")):
            continue
        readme, current, wanted = render(role_dir)
        rel = os.path.relpath(readme, ROOT)
        if current == wanted:
            continue
        if args.check:
            stale.append(rel)
            sys.stdout.writelines(difflib.unified_diff(
                current.splitlines(True), wanted.splitlines(True), rel, rel + " (from argument_specs.yml)"))
        else:
            with open(readme, "w", encoding="utf-8") as f:
                f.write(wanted)
            print("role-docs: wrote %s" % rel)
    if stale:
        print("role-docs: %s differ from the argument specs; run `make role-docs`" % ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
