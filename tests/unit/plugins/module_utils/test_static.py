"""Static files: the preflight of `static`, the routes Caddy serves and the cache pattern."""

import re

import pytest

from ansible_collections.fastapi_ops.server.plugins.module_utils.apps import apps_problems
from ansible_collections.fastapi_ops.server.plugins.module_utils.caddy_sites import CaddySitesError, caddy_sites
from ansible_collections.fastapi_ops.server.plugins.module_utils.model import resolve_app
from ansible_collections.fastapi_ops.server.plugins.module_utils.static import HASHED_RE, static_problems

SHOP = {"name": "shop", "domain": "shop.example.com", "asgi": "shop.main:app", "source": {"path": "shop"}}


def test_valid_static_entries_have_no_problems():
    app = dict(SHOP, static=[{"url": "/static", "dir": "static"}, {"url": "/assets/v1", "dir": "web/dist"}],
               health_check={"path": "/health"})
    assert apps_problems([app]) == []


@pytest.mark.parametrize("static, expected", [
    ("static", "fastapi_apps[0] (shop).static: must be a list of {url, dir}"),
    ([["/static", "static"]], "fastapi_apps[0] (shop).static[0]: must be a mapping with url and dir"),
    ([{"url": "/static", "dir": "static", "cache": 1}], "fastapi_apps[0] (shop).static[0].cache: unknown key (known: dir, url)"),
    ([{"url": "static", "dir": "static"}], "fastapi_apps[0] (shop).static[0].url: 'static' must be a URL path prefix"),
    ([{"url": "/", "dir": "static"}], "fastapi_apps[0] (shop).static[0].url: '/' must be a URL path prefix"),
    ([{"url": "/static/", "dir": "static"}], "fastapi_apps[0] (shop).static[0].url: '/static/' must be a URL path prefix"),
    ([{"url": "/a/../b", "dir": "static"}], "fastapi_apps[0] (shop).static[0].url: '/a/../b' must be a URL path prefix"),
    ([{"url": "/st atic", "dir": "static"}], "fastapi_apps[0] (shop).static[0].url: '/st atic' must be a URL path prefix"),
    ([{"url": "/static"}], "fastapi_apps[0] (shop).static[0].dir: None must be a relative directory"),
    ([{"url": "/static", "dir": "/etc"}], "fastapi_apps[0] (shop).static[0].dir: '/etc' must be a relative directory"),
    ([{"url": "/static", "dir": "../secrets"}], "fastapi_apps[0] (shop).static[0].dir: '../secrets' must be a relative directory"),
    ([{"url": "/static", "dir": "web/../.."}], "fastapi_apps[0] (shop).static[0].dir: 'web/../..' must be a relative directory"),
    ([{"url": "/health", "dir": "static"}], "fastapi_apps[0] (shop).static[0].url: /health would shadow the health check path /health/live"),
    ([{"url": "/static", "dir": "a"}, {"url": "/static/img", "dir": "b"}],
     "fastapi_apps[0] (shop).static[1].url: /static/img overlaps static[0] (/static)"),
])
def test_each_wrong_static_entry_is_named(static, expected):
    problems = apps_problems([dict(SHOP, static=static, health_check={"path": "/health/live"})])
    assert len(problems) == 1
    assert problems[0].startswith(expected)


def test_a_prefix_that_only_starts_like_the_health_path_is_not_shadowing():
    assert static_problems("x", [{"url": "/health", "dir": "s"}], "/healthz") == []


def test_routes_serve_the_live_release_and_follow_the_source_subdir():
    model = resolve_app(dict(SHOP, static=[{"url": "/static", "dir": "static/"}]), root="/srv/fastapi")
    assert model["static"] == [{"url": "/static", "dir": "static", "root": "/srv/fastapi/shop/current/src/static",
                                "hashed": HASHED_RE}]
    app = dict(SHOP, source={"path": "shop", "subdir": "backend"}, static=[{"url": "/static", "dir": "web/dist"}])
    assert resolve_app(app)["static"][0]["root"] == "/srv/fastapi/shop/current/src/backend/web/dist"
    assert resolve_app(SHOP)["static"] == []


@pytest.mark.parametrize("name, hashed", [
    ("app.3f9a1c2b.js", True),
    ("chunk-5e1f0a2b7c44.css", True),
    ("img/logo.0123456789abcdef.png", True),
    ("app.js", False),
    ("app.3f9a1c2.js", False),
    ("release-20261202.txt", True),
    ("robots.txt", False),
])
def test_hashed_file_names_are_recognised(name, hashed):
    assert bool(re.search(HASHED_RE, "/" + name)) is hashed


def test_caddy_sites_carry_the_routes_and_refuse_wrong_ones_alone():
    app = dict(SHOP, static=[{"url": "/static", "dir": "static"}])
    site = caddy_sites([app], root="/srv/fastapi")[0]
    assert site["static"][0]["root"] == "/srv/fastapi/shop/current/src/static"
    assert caddy_sites([SHOP])[0]["static"] == []
    with pytest.raises(CaddySitesError) as error:
        caddy_sites([dict(SHOP, static=[{"url": "static", "dir": "static"}])])
    assert error.value.problems[0].startswith("caddy_apps[0] (shop).static[0].url:")


def test_caddy_may_search_down_to_each_static_directory_and_read_only_those():
    app = dict(SHOP, source={"path": "shop", "subdir": "backend"},
               static=[{"url": "/static", "dir": "web/dist"}, {"url": "/media", "dir": "media"}])
    assert resolve_app(app)["static_release"] == {
        "parents": [".", "src", "src/backend", "src/backend/web"],
        "dirs": ["src/backend/web/dist", "src/backend/media"],
    }
    assert resolve_app(SHOP)["static_release"] == {"parents": [], "dirs": []}
