"""The converged site as a user checks it by hand: DNS, certificate, HTTPS,
the blue/green slots, Caddy's upstream, the deploy log and the lock."""

import json

import pytest

ROOT = "/srv/fastapi/hello"
LOG = "/var/log/fastapi-ops/deploys.log"
TARGETS = ("default-debian12", "default-debian13")


@pytest.fixture(name="target")
def fixture_target(host):
    if host.backend.get_hostname() not in TARGETS:
        pytest.skip("a target's view")
    return host


@pytest.fixture(name="client")
def fixture_client(host):
    if host.backend.get_hostname() != "default-client":
        pytest.skip("the client's view")
    return host


def live_slot(target):
    # readlink without -f: the live socket link names the slot's link.
    link = target.check_output("readlink %s/slots/live.sock", ROOT)
    assert link in ("blue.sock", "green.sock")
    return link[:-len(".sock")]


@pytest.mark.parametrize("name", ["debian12", "debian13"])
def test_dns_record_in_bind_certificate_from_pebble_and_https_answer(client, name):
    domain = "hello.%s.example.test" % name
    bind = json.loads(client.check_output("cat /var/lib/lab-load/runs.json"))  # written by side_effect
    assert bind
    address = client.check_output("dig +short @$(getent hosts default-bind | cut -d' ' -f1) %s A", domain).strip()
    assert address == client.check_output("getent hosts default-%s | cut -d' ' -f1", name).strip()
    answer = json.loads(client.check_output(
        "curl -sS --fail --http2 --cacert /etc/lab-pebble-root.pem --resolve %s:443:%s https://%s/", domain, address, domain))
    # side_effect.yml's last run changed GREETING (environment).
    assert answer["message"] == "Howdy, world!"
    assert len(answer["release"]) == 12
    issuer = client.check_output(
        "echo | openssl s_client -connect %s:443 -servername %s 2>/dev/null | openssl x509 -noout -issuer", address, domain)
    assert "Pebble" in issuer


def test_one_slot_serves_the_live_release_and_the_other_is_stopped(target):
    live = live_slot(target)
    idle = {"blue": "green", "green": "blue"}[live]
    assert target.file("%s/slots/%s" % (ROOT, live)).linked_to == target.file(ROOT + "/current").linked_to  # both resolved
    assert target.service("fastapi-hello@%s.service" % live).is_running
    assert target.service("fastapi-hello@%s.service" % live).is_enabled
    assert not target.service("fastapi-hello@%s.service" % idle).is_running
    assert not target.service("fastapi-hello@%s.service" % idle).is_enabled
    assert not target.file("/run/fastapi-hello-%s" % idle).exists


def test_the_live_socket_is_the_app_users_and_the_proxys_only(target):
    sock = target.file("/run/fastapi-hello-%s/gunicorn.sock" % live_slot(target))
    assert sock.is_socket
    assert (sock.user, sock.group, sock.mode) == ("fastapi-hello", "caddy", 0o770)


def test_each_slot_has_a_runtime_directory_of_its_own(target):
    for slot in ("blue", "green"):
        value = target.check_output("systemctl show -p RuntimeDirectory --value fastapi-hello@%s.service", slot)
        assert value == "fastapi-hello-%s" % slot


def test_caddy_dials_the_live_socket_link_which_leads_to_the_live_slot(target):
    caddyfile = target.file("/etc/caddy/Caddyfile").content_string
    assert "reverse_proxy unix/%s/slots/live.sock " % ROOT in caddyfile
    assert "/run/fastapi-hello-" not in caddyfile
    live = live_slot(target)
    assert target.file(ROOT + "/slots/live.sock").linked_to == "/run/fastapi-hello-%s/gunicorn.sock" % live
    # What Caddy's user reaches through the link is the live slot's socket.
    assert target.run("runuser -u caddy -- test -S %s/slots/live.sock", ROOT).rc == 0


def test_the_deploy_log_says_who_deployed_what_when_and_how_it_ended(target):
    entries = [json.loads(line) for line in target.file(LOG).content_string.splitlines()]
    outcomes = [(entry["action"], entry["outcome"]) for entry in entries]
    # The first start, ten deploys, two refused releases, the rollback, the
    # in-place deploy, and the same release with a changed environment.
    assert outcomes[0] == ("site", "live") and entries[0]["method"] == "first start"
    assert outcomes.count(("deploy", "live")) == 11
    assert outcomes.count(("deploy", "failed")) == 2
    assert outcomes[-3:] == [("rollback", "live"), ("deploy", "live"), ("site", "live")]
    assert entries[-2]["method"] == "in place"
    assert entries[-1]["method"] == "blue/green" and entries[-1]["release"] == entries[-1]["from_release"]
    assert {entry["method"] for entry in entries[1:-2] if entry["outcome"] == "live"} == {"blue/green"}
    for entry in entries:
        assert entry["user"] and entry["time"].endswith("Z") and entry["source"].startswith("path ")
        assert entry["app"] == "hello" and len(entry["release"]) == 12 and entry["slot"] in ("blue", "green")
    assert entries[-1]["release"] == target.file(ROOT + "/current").linked_to.rsplit("/", 1)[-1]


def test_no_deploy_lock_is_left_behind(target):
    assert target.check_output("ls -A /run/fastapi-ops/deploy-locks") == ""


def live_environ(target):
    pid = target.check_output("systemctl show -p MainPID --value fastapi-hello@%s.service", live_slot(target))
    lines = target.check_output("tr '\\0' '\\n' < /proc/%s/environ", pid).splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)


def test_a_changed_environment_and_a_removed_secret_are_what_the_live_instance_runs_with(target):
    environ = live_environ(target)
    assert environ["GREETING"] == "Howdy"
    assert "HELLO_TOKEN" not in environ
    assert environ["STATE_DIRECTORY"] == "/var/lib/fastapi-hello" and environ["TMPDIR"] == "/tmp"
    live = live_slot(target)
    idle = {"blue": "green", "green": "blue"}[live]
    # Each slot has its own copy; the idle one still holds what it ran with.
    assert 'GREETING="Howdy"' in target.file("/etc/fastapi-ops/hello.%s.env" % live).content_string
    assert "HELLO_TOKEN" in target.file("/etc/fastapi-ops/hello.%s.env" % idle).content_string
    for slot in (live, idle):
        env = target.file("/etc/fastapi-ops/hello.%s.env" % slot)
        assert (env.user, env.group, env.mode) == ("root", "root", 0o600)


def test_an_account_the_collection_did_not_create_is_left_as_it_was(target):
    # Debian's own `backup` account, as debootstrap made it.
    assert target.check_output("getent passwd backup") == "backup:x:34:34:backup:/var/backups:/usr/sbin/nologin"
    assert target.check_output("getent shadow backup").split(":")[1] == "*"
    assert "fastapi_ops.server app hello" in target.check_output("getent passwd fastapi-hello")


def test_refused_releases_are_removed_and_take_no_place_of_a_good_one(target):
    entries = [json.loads(line) for line in target.file(LOG).content_string.splitlines()]
    refused = [entry["release"] for entry in entries if entry["outcome"] == "failed"]
    assert len(refused) == 2
    on_host = target.check_output("ls %s/releases", ROOT).split()
    assert not set(refused) & set(on_host)
