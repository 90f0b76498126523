"""The Caddy sites computed from the apps list."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.fastapi_ops.server.plugins.filter.caddy_app_listener import FilterModule as ListenerFilters
from ansible_collections.fastapi_ops.server.plugins.filter.caddy_sites import FilterModule

caddy_sites = FilterModule().filters()["caddy_sites"]
caddy_app_listener = ListenerFilters().filters()["caddy_app_listener"]


def app(name="shop", domain="shop.example.com", **extra):
    return dict({"name": name, "domain": domain}, **extra)


def test_default_site_proxies_to_the_gunicorn_socket_with_role_defaults():
    (site,) = caddy_sites([app(extra_domains=["WWW.Shop.example.com"])])
    assert site == {
        "name": "shop",
        "domains": ["shop.example.com", "www.shop.example.com"],
        "upstreams": ["unix//run/fastapi-shop/gunicorn.sock"],
        "max_body_size": "10MB",
        "hsts_max_age": 31536000,
        "tls_issuer": "acme",
        "snippet": "",
        "static": [],
        "health": {"path": "/", "status": 200},
    }


def test_the_edges_health_check_is_the_apps():
    (site,) = caddy_sites([app(health_check={"path": "/health", "status": 204, "timeout": 5})])
    assert site["health"] == {"path": "/health", "status": 204}


def test_role_wide_defaults_are_passed_through():
    (site,) = caddy_sites([app()], max_body_size="1GiB", hsts_max_age=600, tls_issuer="internal")
    assert (site["max_body_size"], site["hsts_max_age"], site["tls_issuer"]) == ("1GiB", 600, "internal")


def test_app_settings_override_role_defaults():
    settings = {
        "max_body_size": 1048576,
        "hsts_max_age": 0,
        "tls_issuer": "internal",
        "upstreams": ["10.0.0.5:8000", "http://app-2.internal:8000", "[fd00::5]:8000"],
        "snippet": "\nheader X-App shop\n",
    }
    (site,) = caddy_sites([app(caddy=settings)], hsts_max_age=99)
    assert site["max_body_size"] == "1048576"
    assert site["hsts_max_age"] == 0
    assert site["tls_issuer"] == "internal"
    assert site["upstreams"] == settings["upstreams"]
    assert site["snippet"] == "header X-App shop"


def test_each_app_is_its_own_site_in_order():
    sites = caddy_sites([app(), app("api", "api.example.com", caddy=None)])
    assert [s["name"] for s in sites] == ["shop", "api"]
    assert sites[1]["upstreams"] == ["unix//run/fastapi-api/gunicorn.sock"]


def test_custom_user_does_not_move_the_socket():
    (site,) = caddy_sites([app(user="shopuser")])
    assert site["upstreams"] == ["unix//run/fastapi-shop/gunicorn.sock"]


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"max_body_sise": "1MB"}, "caddy.max_body_sise: unknown key"),
        ({"max_body_size": "ten megs"}, "max_body_size: 'ten megs' is not a size"),
        ({"max_body_size": 0}, "max_body_size: 0 is not a size"),
        ({"hsts_max_age": -1}, "hsts_max_age: -1 must be a whole number"),
        ({"hsts_max_age": True}, "hsts_max_age: True must be a whole number"),
        ({"tls_issuer": "zerossl"}, "tls_issuer: 'zerossl' must be one of acme, internal"),
        ({"upstreams": []}, "upstreams: must be a non-empty list"),
        ({"upstreams": "10.0.0.5:8000"}, "upstreams: must be a non-empty list"),
        ({"upstreams": ["10.0.0.5:8000 { evil }"]}, "is not an address"),
        ({"upstreams": ["unix/relative.sock"]}, "is not an address"),
        ({"snippet": ["a"]}, "snippet: must be Caddyfile text"),
    ],
)
def test_wrong_settings_are_named(settings, message):
    with pytest.raises(AnsibleFilterError) as error:
        caddy_sites([app(caddy=settings)])
    assert "caddy_apps[0] (shop).caddy." in str(error.value)
    assert message in str(error.value)


def test_all_problems_are_reported_at_once():
    with pytest.raises(AnsibleFilterError) as error:
        caddy_sites([app(caddy={"hsts_max_age": "x"}), app("api", "api.example.com", caddy={"bogus": 1}), "nope"])
    text = str(error.value)
    assert "(shop).caddy.hsts_max_age" in text
    assert "(api).caddy.bogus: unknown key" in text
    assert "caddy_apps[2]: must be an app" in text


def test_caddy_settings_must_be_a_mapping():
    with pytest.raises(AnsibleFilterError, match=r"\(shop\)\.caddy: must be a mapping"):
        caddy_sites([app(caddy=["max_body_size"])])


def test_apps_must_be_a_list():
    with pytest.raises(AnsibleFilterError, match="caddy_apps: must be a list"):
        caddy_sites({"name": "shop"})


def test_upstreams_decided_by_the_playbook_replace_the_default_socket():
    sites = caddy_sites(
        [app(), app("api", "api.example.com")],
        upstreams={"shop": ["unix//run/fastapi-shop-green/gunicorn.sock"]},
    )
    assert sites[0]["upstreams"] == ["unix//run/fastapi-shop-green/gunicorn.sock"]
    assert sites[1]["upstreams"] == ["unix//run/fastapi-api/gunicorn.sock"]
    (site,) = caddy_sites([app()], upstreams={"shop": "unix//run/fastapi-shop-blue/gunicorn.sock"})
    assert site["upstreams"] == ["unix//run/fastapi-shop-blue/gunicorn.sock"]


def test_an_apps_own_upstreams_win_over_the_playbooks():
    (site,) = caddy_sites([app(caddy={"upstreams": ["10.0.0.5:8000"]})], upstreams={"shop": ["unix//run/x.sock"]})
    assert site["upstreams"] == ["10.0.0.5:8000"]


def test_a_wrong_decided_upstream_is_named_by_its_variable():
    with pytest.raises(AnsibleFilterError, match=r"caddy_app_upstreams.shop: 'not an address!' is not an address"):
        caddy_sites([app()], upstreams={"shop": ["not an address!"]})
    with pytest.raises(AnsibleFilterError, match="caddy_app_upstreams: must be a mapping"):
        caddy_sites([app()], upstreams=["unix//run/x.sock"])


def test_the_default_socket_follows_the_apps_root():
    # The socket is under /run whatever the root; the root moves the app's home only.
    (site,) = caddy_sites([app()], root="/opt/apps")
    assert site["upstreams"] == ["unix//run/fastapi-shop/gunicorn.sock"]


@pytest.mark.parametrize(
    "listen, expected",
    [("10.0.0.11:8080", {"address": "10.0.0.11", "port": 8080}), ("[fd00::12]:9000", {"address": "fd00::12", "port": 9000})],
)
def test_an_app_hosts_listener_is_split_for_bind(listen, expected):
    assert caddy_app_listener(listen) == expected


@pytest.mark.parametrize("listen", ["app1:8080", "10.0.0.11", "10.0.0.11:80", "10.0.0.11:70000", "", None])
def test_a_listener_that_is_no_ip_and_port_is_refused(listen):
    with pytest.raises(AnsibleFilterError, match="^caddy_app_listen: must be IP:PORT"):
        caddy_app_listener(listen)
