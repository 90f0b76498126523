# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

from ansible_collections.fastapi_ops.server.plugins.module_utils.caddy_refusal import refused_field, refused_line

APPS = [{"name": "hello"}, {"name": "shop"}]
CANDIDATE = """{
\tadmin unix//run/caddy/admin.sock

\t# caddy_global_snippet
\tbogus_global on
}

# App hello
hello.example.test {
\treverse_proxy unix//srv/fastapi/hello/slots/live.sock
}

# App shop
shop.example.test {
\treverse_proxy unix//srv/fastapi/shop/slots/live.sock

\t# caddy.snippet of shop
\tbogus_directive on
}

# caddy_extra_snippet
bogus {
"""


def error(line, message="unrecognized directive: bogus_directive"):
    return ('{"level":"info","msg":"using config from file"}\n'
            "Error: adapting config using caddyfile: /etc/caddy/Caddyfile.candidate:%d: %s\n" % (line, message))


def test_a_line_of_an_apps_snippet_names_the_app_and_its_snippet():
    assert refused_field(CANDIDATE, error(18), APPS) == (
        "fastapi_apps[1] (shop).caddy.snippet: Caddy refused it: unrecognized directive: bogus_directive")


def test_a_line_of_a_role_snippet_names_the_role_variable():
    assert refused_field(CANDIDATE, error(5), APPS).startswith("caddy_global_snippet: Caddy refused it:")
    assert refused_field(CANDIDATE, error(23, "unexpected EOF"), APPS) == "caddy_extra_snippet: Caddy refused it: unexpected EOF"


def test_a_line_of_an_apps_site_names_the_app():
    assert refused_field(CANDIDATE, error(10), APPS).startswith("fastapi_apps[0] (hello): Caddy refused it:")


def test_without_a_line_or_a_comment_the_caddyfile_is_named():
    assert refused_field(CANDIDATE, error(2), APPS).startswith("the Caddyfile: Caddy refused it:")
    assert refused_field(CANDIDATE, "Error: loading config: something else", APPS) == (
        "the Caddyfile: Caddy refused it: loading config: something else")
    assert refused_line("") == (None, "")
