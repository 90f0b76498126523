"""The apps schema's layout and preflight checks."""

import copy

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.fastapi_ops.server.plugins.filter.app_layout import FilterModule as LayoutFilters
from ansible_collections.fastapi_ops.server.plugins.filter.apps_problems import FilterModule as ProblemFilters

app_layout = LayoutFilters().filters()["app_layout"]
apps_problems = ProblemFilters().filters()["apps_problems"]

GOOD = {
    "name": "shop",
    "domain": "shop.example.com",
    "extra_domains": ["www.shop.example.com"],
    "source": {"git": "https://git.example.com/shop.git", "ref": "v1.2.0"},
    "asgi": "shop.main:app",
    "env": {"LOG_LEVEL": "info"},
    "secrets": {"DATABASE_URL": "postgresql://"},
    "pre_start": ["alembic upgrade head"],
    "health_check": {"path": "/health", "status": 200},
}


def with_changes(**changes):
    app = copy.deepcopy(GOOD)
    for key, value in changes.items():
        if value is None:
            app.pop(key, None)
        else:
            app[key] = value
    return app


def test_layout_names_everything_after_the_app():
    layout = app_layout(GOOD)
    assert layout["user"] == layout["group"] == "fastapi-shop"
    assert layout["current"] == "/srv/fastapi/shop/current"
    assert layout["releases"] == "/srv/fastapi/shop/releases"
    assert layout["socket"] == "/run/fastapi-shop/gunicorn.sock"
    assert layout["service"] == "fastapi-shop.service"
    assert layout["env_file"] == "/etc/fastapi-ops/shop.env"
    assert layout["domains"] == ["shop.example.com", "www.shop.example.com"]


def test_layout_honours_root_and_user():
    layout = app_layout(with_changes(user="www-shop"), root="/opt/apps/")
    assert layout["home"] == "/opt/apps/shop"
    assert layout["user"] == "www-shop"


def test_layout_refuses_what_is_not_an_app():
    with pytest.raises(AnsibleFilterError, match="one app of fastapi_apps"):
        app_layout(["shop"])


def test_a_valid_list_has_no_problems():
    second = with_changes(name="blog", domain="blog.example.com", extra_domains=None,
                          source={"path": "files/blog"}, health_check=None)
    assert apps_problems([GOOD, second]) == []


def test_not_a_list():
    assert apps_problems({"name": "shop"}) == ["fastapi_apps: must be a list of apps (see docs/apps.md)"]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": "Shop"}, "fastapi_apps[0] (Shop).name: 'Shop' must start with a letter"),
        ({"domain": "localhost"}, "fastapi_apps[0] (shop).domain: 'localhost' is not a fully qualified domain name"),
        ({"source": {"git": "https://x/y.git"}}, "fastapi_apps[0] (shop).source.ref: a git source needs a pinned ref"),
        ({"source": {"path": "a", "package": "b.whl"}}, "give exactly one of git, path, package (got path, package)"),
        ({"source": {"path": "a", "subdir": "../b"}}, "source.subdir: must be a relative path inside the source"),
        ({"source": {"path": "a", "branch": "main"}}, "source.branch: unknown key"),
        ({"source": {"path": "a", "exclude": "node_modules"}}, "(shop).source.exclude: must be a list of file name or path patterns"),
        ({"source": {"path": "a", "exclude": ["/"]}}, "(shop).source.exclude: must be a list of file name or path patterns"),
        ({"asgi": "main"}, "fastapi_apps[0] (shop).asgi: 'main' must look like 'package.module:app'"),
        ({"env": {"1BAD": "x"}}, "fastapi_apps[0] (shop).env.1BAD: not a valid environment variable name"),
        ({"env": {"DATABASE_URL": "x"}}, "DATABASE_URL is set in both env and secrets"),
        ({"pre_start": "alembic upgrade head"}, "fastapi_apps[0] (shop).pre_start: must be a list of commands"),
        ({"health_check": {"path": "health"}}, "health_check.path: 'health' must start with '/'"),
        ({"health_check": {"status": 99}}, "health_check.status: 99 is not an HTTP status code"),
        ({"workers": 4}, "fastapi_apps[0] (shop).workers: unknown key (see docs/apps.md)"),
        ({"caddy": "yes"}, "fastapi_apps[0] (shop).caddy: must be a mapping of caddy role settings"),
        ({"asgi": None}, "fastapi_apps[0] (shop).asgi: missing; name the ASGI application, such as 'package.module:app'"),
        ({"health_check": {"timeout": -1}}, "fastapi_apps[0] (shop).health_check.timeout: must be a whole number of seconds of at least 1, got -1"),
        ({"health_check": {"timeout": "abc"}}, "fastapi_apps[0] (shop).health_check.timeout: must be a whole number of seconds of at least 1, got 'abc'"),
        ({"health_check": {"body": 200}}, "fastapi_apps[0] (shop).health_check.body: must be text the answer contains, got 200"),
        ({"gunicorn": {"timeout": -5}}, "fastapi_apps[0] (shop).gunicorn.timeout: must be a whole number of at least 1, got -5"),
        ({"gunicorn": {"workers": "four"}}, "fastapi_apps[0] (shop).gunicorn.workers: must be a whole number of at least 0, got 'four'"),
        ({"gunicorn": {"max_requests": True}}, "fastapi_apps[0] (shop).gunicorn.max_requests: must be a whole number of at least 0, got True"),
        ({"gunicorn": {"bind": "0.0.0.0:80"}}, "fastapi_apps[0] (shop).gunicorn.bind: port 80 is not one the app's user may bind"),
        ({"gunicorn": {"bind": "localhost"}}, "fastapi_apps[0] (shop).gunicorn.bind: must be HOST:PORT"),
        ({"gunicorn": {"forwarded_allow_ips": "*"}}, "fastapi_apps[0] (shop).gunicorn.forwarded_allow_ips: must be a list of addresses, got '*'"),
        ({"gunicorn": {"log_level": "verbose"}}, "fastapi_apps[0] (shop).gunicorn.log_level: 'verbose' must be one of debug"),
        ({"gunicorn": {"threads": 4}}, "fastapi_apps[0] (shop).gunicorn.threads: unknown key (known: bind,"),
        ({"user_existing": "yes"}, "fastapi_apps[0] (shop).user_existing: must be true or false"),
        ({"user_existing": True}, "fastapi_apps[0] (shop).user_existing: names no account"),
        ({"user": "root"}, "fastapi_apps[0] (shop).user: 'root' is a system account; an app runs as an account of its own"),
        ({"user": "shop; rm -rf /"}, "fastapi_apps[0] (shop).user: 'shop; rm -rf /' is not an account name"),
    ],
)
def test_each_problem_is_named(changes, message):
    problems = apps_problems([with_changes(**changes)])
    assert len(problems) == 1, problems
    assert message in problems[0]


def test_every_problem_is_reported_at_once():
    bad = {"name": "x_y", "domain": "nodot", "source": {}, "asgi": ""}
    problems = apps_problems([bad])
    fields = [p.split(":", maxsplit=1)[0] for p in problems]
    assert fields == [
        "fastapi_apps[0] (x_y).name",
        "fastapi_apps[0] (x_y).domain",
        "fastapi_apps[0] (x_y).source",
        "fastapi_apps[0] (x_y).asgi",
    ]


def test_duplicate_names_and_domains_across_apps():
    twin = with_changes(extra_domains=None)
    problems = apps_problems([GOOD, twin])
    assert "fastapi_apps[1] (shop).name: 'shop' is also the name of fastapi_apps[0]" in problems
    assert "fastapi_apps[1] (shop).domain: shop.example.com is already served by shop" in problems


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"python": "3.11"}, "fastapi_apps[0] (shop).python: '3.11': '3.11' is not a PEP 440 specifier clause"),
        ({"python": 3.11}, "fastapi_apps[0] (shop).python: 3.11: must be a string such as '>=3.11'"),
        ({"lock": "Pipfile.lock"}, "fastapi_apps[0] (shop).lock: 'Pipfile.lock' must name a requirements file (*.txt) or a uv.lock"),
        ({"lock": "../requirements.txt"}, "fastapi_apps[0] (shop).lock: '../requirements.txt' must be a relative path inside the source"),
        ({"source": {"package": "dist/shop.whl"}, "lock": "uv.lock"}, "a package source takes a requirements file, not a uv.lock"),
        ({"source": {"path": "a", "subdir": "backend"}, "lock": "../../uv.lock"},
         "fastapi_apps[0] (shop).lock: '../../uv.lock' must be a relative path inside the source"),
        ({"pre_start_timeout": 0}, "fastapi_apps[0] (shop).pre_start_timeout: must be a whole number of seconds of at least 1, got 0"),
        ({"pre_start_timeout": "5m"}, "fastapi_apps[0] (shop).pre_start_timeout: must be a whole number of seconds of at least 1, got '5m'"),
        ({"allow_unpinned": "yes"}, "fastapi_apps[0] (shop).allow_unpinned: must be true or false"),
        ({"app": {"installer": "poetry"}}, "fastapi_apps[0] (shop).app.installer: 'poetry' must be one of uv, pip"),
        ({"app": {"keep_releases": 0}}, "fastapi_apps[0] (shop).app.keep_releases: 0 must be a whole number of at least 1"),
        ({"app": {"keep": 3}}, "fastapi_apps[0] (shop).app.keep: unknown key (known: installer, keep_releases)"),
    ],
)
def test_each_install_problem_is_named(changes, message):
    problems = apps_problems([with_changes(**changes)])
    assert len(problems) == 1, problems
    assert message in problems[0]


def test_valid_install_fields_have_no_problems():
    app = with_changes(python=">=3.11,<3.14", lock="app/requirements.lock.txt", allow_unpinned=False,
                       app={"installer": "pip", "keep_releases": 3})
    package = with_changes(source={"package": "dist/shop-1.0-py3-none-any.whl"}, lock="/srv/locks/shop.txt",
                           name="pkg", domain="pkg.example.com", extra_domains=None)
    uv = with_changes(lock="uv.lock", name="uvapp", domain="uv.example.com", extra_domains=None)
    member = with_changes(source={"path": "ws", "subdir": "backend"}, lock="../uv.lock", pre_start_timeout=300,
                          name="member", domain="member.example.com", extra_domains=None)
    assert apps_problems([app, package, uv, member]) == []


def test_valid_gunicorn_and_health_settings_have_no_problems():
    app = with_changes(gunicorn={"workers": 0, "timeout": 60, "graceful_timeout": 0, "bind": "[::]:8001",
                                 "forwarded_allow_ips": ["10.0.0.1"], "log_level": "warning", "worker_memory_mb": 128},
                       health_check={"path": "/health", "status": 204, "timeout": 5, "body": ""}, user="shop-web")
    assert apps_problems([app]) == []
