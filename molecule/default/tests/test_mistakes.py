"""Single mistakes in the inventory, each refused with the host left as it was.

After side_effect.yml, each mistake below is one change to the inventory the
fleet was last deployed with (hello release 10, GREETING=Howdy, no secrets).
`site.yml` runs against default-debian12 with it, as a user runs it, and
must fail; the first line of the refusal (the failed task's message) names
the field and why; the files of the app, its units and configurations, the
Caddyfile, the deploy log and the accounts database are as they were; and
the app still answers, also after `systemctl restart` of its live unit.
"""

import copy
import json
import os
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor

import pytest

TARGET = "default-debian12"
DOMAIN = "hello.debian12.example.test"
EPHEMERAL = os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "")
WHERE = "fastapi_apps[0] (hello)"
# What the last run of side_effect.yml deployed (its "environment" run).
LAST = ["-e", "lab_hello_source=%s/lab/releases/hello-10" % EPHEMERAL, "-e", "lab_greeting=Howdy",
        "-e", '{"lab_secrets": {}}']

# What must not change: the accounts, the app's files and links, its units,
# configurations and environment files, Caddy's, the deploy log (content,
# owner, mode, and for files and links their modification time).
SNAPSHOT = r"""
sha256sum /etc/passwd /etc/group /etc/shadow /etc/gshadow /var/log/fastapi-ops/deploys.log
find /etc/fastapi-ops /etc/caddy /usr/local/lib/fastapi-ops /etc/systemd/system /srv/fastapi -xdev \
  -not -path '*/venv/*' \( -type d -printf '%p/ %m %u:%g\n' -o -printf '%p -> %l %m %u:%g %s %T@\n' \) | sort
find /etc/fastapi-ops /etc/caddy /usr/local/lib/fastapi-ops /etc/systemd/system /srv/fastapi -xdev \
  -not -path '*/venv/*' -type f -print0 | sort -z | xargs -0 sha256sum
"""


def app_setting(key, value):
    def change(apps):
        apps[0][key] = value
    return change


def nested(section, key, value):
    def change(apps):
        apps[0].setdefault(section, {})[key] = value
    return change


def without(key):
    def change(apps):
        del apps[0][key]
    return change


def second_app(**changes):
    def change(apps):
        other = copy.deepcopy(apps[0])
        other.update(name="shop", domain="shop.debian12.example.test")
        other.update(changes)
        apps.append(other)
    return change


# (what the user got wrong, how, the start of the refusal's first line)
PREFLIGHT = [
    ("name not a name", app_setting("name", "Hello World"), "fastapi_apps[0] (Hello World).name:"),
    ("domain not a domain", app_setting("domain", "hello world"), WHERE + ".domain:"),
    ("domain served twice", second_app(domain=DOMAIN), "fastapi_apps[1] (shop).domain:"),
    ("name given twice", second_app(name="hello"), "fastapi_apps[1] (hello).name:"),
    ("asgi missing", without("asgi"), WHERE + ".asgi:"),
    ("asgi without an attribute", app_setting("asgi", "main"), WHERE + ".asgi:"),
    ("unknown key", app_setting("gunicron", {}), WHERE + ".gunicron:"),
    ("source empty", app_setting("source", {}), WHERE + ".source:"),
    ("git source without ref", app_setting("source", {"git": "https://git.example.test/hello.git"}), WHERE + ".source.ref:"),
    ("subdir outside the source", nested("source", "subdir", "../elsewhere"), WHERE + ".source.subdir:"),
    ("unknown source key", nested("source", "branch", "main"), WHERE + ".source.branch:"),
    ("env name not a variable", nested("env", "1GREETING", "x"), WHERE + ".env.1GREETING:"),
    ("secrets not a mapping", app_setting("secrets", ["TOKEN=x"]), WHERE + ".secrets:"),
    ("env and secrets share a key", app_setting("secrets", {"GREETING": "x"}), WHERE + ": GREETING"),
    ("python not a specifier", app_setting("python", "3.x"), WHERE + ".python:"),
    ("lock not a lock file", app_setting("lock", "requirements.cfg"), WHERE + ".lock:"),
    ("allow_unpinned not a boolean", app_setting("allow_unpinned", "sometimes"), WHERE + ".allow_unpinned:"),
    ("installer unknown", nested("app", "installer", "conda"), WHERE + ".app.installer:"),
    ("keep_releases zero", nested("app", "keep_releases", 0), WHERE + ".app.keep_releases:"),
    ("unknown app role key", nested("app", "colour", "blue"), WHERE + ".app.colour:"),
    ("gunicorn timeout negative", nested("gunicorn", "timeout", -5), WHERE + ".gunicorn.timeout:"),
    ("gunicorn workers not a number", nested("gunicorn", "workers", "many"), WHERE + ".gunicorn.workers:"),
    ("gunicorn bind without a port", nested("gunicorn", "bind", "0.0.0.0"), WHERE + ".gunicorn.bind:"),
    ("gunicorn bind on a privileged port", nested("gunicorn", "bind", "0.0.0.0:80"), WHERE + ".gunicorn.bind:"),
    ("gunicorn log level unknown", nested("gunicorn", "log_level", "loud"), WHERE + ".gunicorn.log_level:"),
    ("forwarded_allow_ips not a list", nested("gunicorn", "forwarded_allow_ips", "10.0.0.1"),
     WHERE + ".gunicorn.forwarded_allow_ips:"),
    ("drain_timeout negative", nested("gunicorn", "drain_timeout", -1), WHERE + ".gunicorn.drain_timeout:"),
    ("unknown gunicorn key", nested("gunicorn", "threads", 4), WHERE + ".gunicorn.threads:"),
    ("health path relative", nested("health_check", "path", "health"), WHERE + ".health_check.path:"),
    ("health status not a status", nested("health_check", "status", 999), WHERE + ".health_check.status:"),
    ("health timeout negative", nested("health_check", "timeout", -1), WHERE + ".health_check.timeout:"),
    ("health timeout not a number", nested("health_check", "timeout", "abc"), WHERE + ".health_check.timeout:"),
    ("health body not text", nested("health_check", "body", 5), WHERE + ".health_check.body:"),
    ("user root", app_setting("user", "root"), WHERE + ".user:"),
    ("user with shell characters", app_setting("user", "app;rm -rf /"), WHERE + ".user:"),
    ("user_existing not a boolean", app_setting("user_existing", "maybe"), WHERE + ".user_existing:"),
    ("pre_start not a list", app_setting("pre_start", "python -m migrate"), WHERE + ".pre_start:"),
    ("process count too high", app_setting("processes", {"worker": {"command": "python -m worker", "count": 99}}),
     WHERE + ".processes.worker.count:"),
    ("job without a calendar", app_setting("jobs", {"nightly": {"command": "python -m nightly"}}),
     WHERE + ".jobs.nightly.on_calendar:"),
    ("static prefix shadows the health check", app_setting("static", [{"url": "/health", "dir": "static"}]),
     WHERE + ".static[0].url:"),
    ("static directory outside the release", app_setting("static", [{"url": "/static", "dir": "../.."}]),
     WHERE + ".static[0].dir:"),
]
# Refused on the host, by what only the host knows, before anything is written.
ON_HOST = [
    ("an existing account not ours", app_setting("user", "backup"), WHERE + ".user: the account backup exists"),
    ("acme e-mail not an address", None, "caddy_acme_email:"),
]
EXTRA = {"acme e-mail not an address": ["-e", "caddy_acme_email=ops-at-example.org"]}


@pytest.fixture(name="target", scope="module")
def fixture_target(host):
    if host.backend.get_hostname() != TARGET:
        pytest.skip("the mistakes run against one target")
    return host


def ansible(argv, **env):
    # Only the JSON callback writes to stdout (not the scenario's profile_tasks).
    return subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False, env=dict(
        os.environ, ANSIBLE_CONFIG=EPHEMERAL + "/ansible.cfg", ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_CALLBACKS_ENABLED="ansible.posix.json", ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", **env))


def parsed(output):
    """The JSON document the callback wrote (whatever else follows it)."""
    return json.JSONDecoder().raw_decode(output[output.index("{"):])[0]


@pytest.fixture(name="apps", scope="module")
def fixture_apps(target):
    """fastapi_apps as the inventory renders it for the last deploy."""
    result = ansible(["ansible", "-i", EPHEMERAL + "/inventory", TARGET, "-m", "ansible.builtin.debug",
                      "-a", "msg={{ fastapi_apps | to_json }}"] + LAST, ANSIBLE_LOAD_CALLBACK_PLUGINS="1")
    assert result.returncode == 0, result.stdout + result.stderr
    output = parsed(result.stdout)
    msg = output["plays"][0]["tasks"][0]["hosts"][TARGET]["msg"]
    return json.loads(msg) if isinstance(msg, str) else msg


def refusal(output):
    """The first line of the message of the first task that failed."""
    for play in parsed(output)["plays"]:
        for task in play["tasks"]:
            result = task["hosts"].get(TARGET, {})
            if result.get("failed"):
                msg = result.get("msg", "")
                return (msg[0] if isinstance(msg, list) else str(msg).splitlines()[0]), task["task"]["name"]
    return None, None


def site_with(apps, label, change):
    apps = copy.deepcopy(apps)
    if change:
        change(apps)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as extra:
        json.dump({"fastapi_apps": apps}, extra)
    try:
        result = ansible(["ansible-playbook", "-i", EPHEMERAL + "/inventory", "fastapi_ops.server.site",
                          "-l", TARGET, "-e", "fastapi_hosts=targets", "-e", "@" + extra.name] + EXTRA.get(label, []))
    finally:
        os.unlink(extra.name)
    return result


# GET /health through Caddy on the target itself (which has no curl); what
# is checked is that the app answers, not the certificate.
ASK = r"""
import socket, ssl, sys
context = ssl.create_default_context()
context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
with context.wrap_socket(socket.create_connection(("127.0.0.1", 443), timeout=10), server_hostname=sys.argv[1]) as conn:
    conn.sendall(b"GET /health HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % sys.argv[1].encode())
    answer = b""
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        answer += chunk
print(answer.decode(errors="replace"))
sys.exit(0 if answer.startswith(b"HTTP/1.1 200") else 1)
"""


def answers(target):
    return target.run("python3 -c %s %s", ASK, DOMAIN)


@pytest.fixture(name="outcomes", scope="module")
def fixture_outcomes(target, apps):
    before = target.check_output(SNAPSHOT)
    outcomes = {}
    # Refused in preflight: nothing on the host is touched, so they run side by side.
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = pool.map(lambda mistake: site_with(apps, mistake[0], mistake[1]), PREFLIGHT)
        for mistake, result in zip(PREFLIGHT, results):
            outcomes[mistake[0]] = result
    for mistake in ON_HOST:
        outcomes[mistake[0]] = site_with(apps, mistake[0], mistake[1])
    after = target.check_output(SNAPSHOT)
    return {"results": outcomes, "before": before, "after": after}


def test_at_least_thirty_distinct_single_mistakes():
    assert len({mistake[0] for mistake in PREFLIGHT + ON_HOST}) >= 30


@pytest.mark.parametrize("label,expected", [(mistake[0], mistake[2]) for mistake in PREFLIGHT + ON_HOST])
def test_each_mistake_fails_and_its_first_line_names_the_field(outcomes, label, expected):
    result = outcomes["results"][label]
    assert result.returncode != 0, result.stdout[-3000:]
    first, task = refusal(result.stdout)
    assert first is not None, result.stdout[-3000:] + result.stderr[-2000:]
    assert first.startswith(expected), "%s: %r (task %r)" % (label, first, task)


def test_no_mistake_changed_anything_on_the_host(outcomes):
    before, after = outcomes["before"].splitlines(), outcomes["after"].splitlines()
    assert [line for line in after if line not in before] == [] and len(before) == len(after)


def test_the_app_still_answers_also_after_a_restart_of_its_live_unit(target, outcomes):
    assert answers(target).rc == 0
    slot = target.check_output("readlink /srv/fastapi/hello/slots/live.sock").split(".")[0]
    target.run_expect([0], "systemctl restart fastapi-hello@%s.service", slot)
    for _attempt in range(30):
        if answers(target).rc == 0:
            break
        target.run("sleep 1")
    answer = answers(target)
    assert answer.rc == 0 and '"ok"' in answer.stdout, answer.stderr
    assert target.check_output(SNAPSHOT) == outcomes["after"]
