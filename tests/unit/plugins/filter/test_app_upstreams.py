"""What Caddy dials for each app."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.fastapi_ops.server.plugins.filter.app_upstreams import FilterModule

app_upstreams = FilterModule().filters()["app_upstreams"]


def test_a_socket_app_is_dialled_through_its_live_socket_link():
    apps = [{"name": "shop", "domain": "shop.example.com"}]
    assert app_upstreams(apps) == {"shop": ["unix//srv/fastapi/shop/slots/live.sock"]}
    assert app_upstreams(apps, "/opt/apps/") == {"shop": ["unix//opt/apps/shop/slots/live.sock"]}


@pytest.mark.parametrize("bind, upstream", [
    ("127.0.0.1:8000", "127.0.0.1:8000"),
    ("0.0.0.0:8001", "127.0.0.1:8001"),
    ("[::]:8002", "[::1]:8002"),
    ("app.internal:8003", "app.internal:8003"),
])
def test_a_tcp_app_is_dialled_at_its_bind_address_with_wildcards_on_loopback(bind, upstream):
    apps = [{"name": "api", "domain": "api.example.com", "gunicorn": {"bind": bind}}]
    assert app_upstreams(apps) == {"api": [upstream]}


def test_an_app_without_gunicorn_settings_uses_its_socket():
    apps = [{"name": "a", "domain": "a.example.com", "gunicorn": None}, {"name": "b", "domain": "b.example.com", "gunicorn": {}}]
    assert set(app_upstreams(apps)) == {"a", "b"}


@pytest.mark.parametrize("apps", [None, {"name": "x"}, [{"name": "x"}]])
def test_not_an_apps_list_is_refused(apps):
    with pytest.raises(AnsibleFilterError, match="fastapi_apps list"):
        app_upstreams(apps)
