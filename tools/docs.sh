#!/usr/bin/env bash
# The collection's docs site, built offline with antsibull-docs and Sphinx
# (make docs): a page per role (from its meta/argument_specs.yml), filter and
# module, the changelog, and the guides in docs/*.md. Any Sphinx warning
# fails the build (-W). Output: build/docs/html/index.html.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out="$repo/build/docs"
rm -rf "$out"
mkdir -p "$out"
chmod 755 "$out"
rst="$out/rst"
mkdir -m 755 "$rst"

# collections/ links back to this checkout, so --use-current finds it by name.
export ANSIBLE_COLLECTIONS_PATH="$repo/collections" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
# antsibull-docs reports a page it could not make (a spec it cannot parse) as
# an error and goes on; here that fails the build.
antsibull-docs collection --use-current --squash-hierarchy --cleanup everything \
  --dest-dir "$rst" fastapi_ops.server 2>&1 | tee "$out/antsibull-docs.log"
if grep -E 'ERROR|WARNING|nonfatal_errors' "$out/antsibull-docs.log" >/dev/null; then
  echo "docs: antsibull-docs reported the errors above" >&2
  exit 1
fi

# The guides, as they are in the repository, under guides/.
mkdir -p "$rst/guides"
guides=()
for f in "$repo"/docs/*.md; do
  name=$(basename "$f" .md)
  # Links to repository files outside docs/ point at the repository.
  sed -E 's#\]\(\.\./([^)]+)\)#](https://github.com/fastapi-ops/server/blob/main/\1)#g' "$f" >"$rst/guides/$name.md"
  guides+=("guides/$name")
done
{
  printf '\n\nGuides\n------\n\n.. toctree::\n   :maxdepth: 1\n\n'
  printf '   %s\n' "${guides[@]}"
} >>"$rst/index.rst"

# Labels of Ansible's own docs that antsibull-docs' pages refer to; offline
# there is no intersphinx inventory, so they point at the published pages.
cat >"$rst/ansible_references.rst" <<'RST'
:orphan:

.. _common_return_values:

Common return values
====================

See `Return Values <https://docs.ansible.com/projects/ansible/latest/reference_appendices/common_return_values.html>`__ in Ansible's documentation.

.. _ansible_configuration_settings:

Ansible configuration settings
==============================

See `Ansible Configuration Settings <https://docs.ansible.com/projects/ansible/latest/reference_appendices/config.html>`__ in Ansible's documentation.

.. _action_plugins:

Action plugins
==============

See `Action plugins <https://docs.ansible.com/projects/ansible/latest/plugins/action.html>`__ in Ansible's documentation.
RST

sphinx-build -q -b html -c "$repo/docs/site" -W --keep-going "$rst" "$out/html"
echo "docs: $out/html/index.html ($(find "$out/html" -name '*.html' | wc -l) pages)"
