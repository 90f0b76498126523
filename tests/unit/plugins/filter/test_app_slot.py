"""Names of the blue/green slots of an app."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.fastapi_ops.server.plugins.filter.app_slot import FilterModule
from ansible_collections.fastapi_ops.server.plugins.module_utils.slots import other_slot

app_slot = FilterModule().filters()["app_slot"]
SHOP = {"name": "shop", "domain": "shop.example.com"}


def test_each_slot_has_its_own_unit_instance_runtime_directory_and_socket():
    blue, green = app_slot(SHOP, "blue"), app_slot(SHOP, "green")
    assert blue["service"] == "fastapi-shop@blue.service"
    assert green["service"] == "fastapi-shop@green.service"
    assert blue["template"] == green["template"] == "fastapi-shop@.service"
    assert blue["runtime_dir"] != green["runtime_dir"]
    assert blue["socket"] == "/run/fastapi-shop-blue/gunicorn.sock"
    assert green["upstream"] == "unix//run/fastapi-shop-green/gunicorn.sock"
    assert (blue["other"], green["other"]) == ("green", "blue")


def test_release_links_live_under_the_apps_home_and_follow_the_root():
    slot = app_slot(SHOP, "green", "/opt/apps/")
    assert slot["link"] == "/opt/apps/shop/slots/green"
    assert slot["socket_link"] == "/opt/apps/shop/slots/green.sock"
    assert slot["live_socket"] == "/opt/apps/shop/slots/live.sock"
    assert slot["live_upstream"] == "unix//opt/apps/shop/slots/live.sock"
    assert slot["previous_file"] == "/opt/apps/shop/slots/previous"
    assert app_slot(SHOP, "green")["link"] == "/srv/fastapi/shop/slots/green"


def test_the_template_units_instance_specifier_is_accepted():
    template = app_slot(SHOP, "%i")
    assert template["socket"] == "/run/fastapi-shop-%i/gunicorn.sock"
    assert template["other"] is None


def test_the_first_slot_is_blue_and_the_other_slot_alternates():
    assert other_slot(None) == "blue"
    assert other_slot("") == "blue"
    assert other_slot("blue") == "green"
    assert other_slot("green") == "blue"


@pytest.mark.parametrize("slot", ["red", "", None, "BLUE"])
def test_unknown_slots_are_refused(slot):
    with pytest.raises(AnsibleFilterError, match="slot must be one of blue, green"):
        app_slot(SHOP, slot)


def test_not_an_app_is_refused():
    with pytest.raises(AnsibleFilterError, match="one app of fastapi_apps"):
        app_slot({"name": "shop"}, "blue")
