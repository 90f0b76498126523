"""Caddy in front of two apps, checked the way a user would: from a client.

The client is the scenario's services container (it also runs Pebble and the
release mirror); it reaches each target by the apps' domain names, which are
Docker network aliases of the target.
"""

import json
import os
import re
import shlex
import subprocess
import time

import pytest
import testinfra

testinfra_hosts = ["targets"]

SERVICES = "caddy-services"
PEBBLE_ROOT = "/root/pebble-root.pem"
# name prefix -> (app, HSTS max-age set in molecule/caddy/vars/lab.yml)
DOMAINS = {"shop": ("shop", 31536000), "www.shop": ("shop", 31536000), "api": ("api", 600)}
LAB = os.path.join(os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "/nonexistent"), "lab", "lab.json")
CADDYFILE = "/etc/caddy/Caddyfile"
# Written by side_effect.yml right after the role validated and installed it.
VALIDATED_CANDIDATE_SHA256 = "/root/lab-validated-candidate.sha256"
ADMIN_SOCKET = "/run/caddy/admin.sock"
# caddy_metrics_listen's default.
METRICS_URL = "http://127.0.0.1:9180/metrics"
# Written by side_effect.yml from its run of status.yml.
STATUS = "/root/lab-status.json"


@pytest.fixture(scope="module")
def services():
    client = testinfra.get_host("docker://" + SERVICES)
    fetch = client.run(
        "curl -sS --fail --cacert /etc/pebble/listener-ca.pem -o %s https://localhost:15000/roots/0" % PEBBLE_ROOT
    )
    assert fetch.rc == 0, fetch.stderr
    return client


def suffix(host):
    return host.backend.get_hostname().replace("caddy-", "") + ".test"


def target_ip(host):
    return host.run("hostname -I").stdout.split()[0]


def curl(services, host, domain, *args, path="/"):
    command = [
        "curl", "-sS", "--max-time", "20", "--cacert", PEBBLE_ROOT,
        "--resolve", "%s:443:%s" % (domain, target_ip(host)),
        "--resolve", "%s:80:%s" % (domain, target_ip(host)),
    ] + list(args)
    if not any(a.startswith("http") for a in args):
        command.append("https://%s%s" % (domain, path))
    return services.run(" ".join("'%s'" % part for part in command))


def headers_of(output):
    return {k.strip().lower(): v.strip() for k, v in re.findall(r"^([A-Za-z0-9-]+):(.*)$", output, re.M)}


@pytest.mark.parametrize("prefix", DOMAINS)
def test_each_domain_is_served_over_http2_with_a_pebble_certificate(host, services, prefix):
    domain = "%s.%s" % (prefix, suffix(host))
    result = curl(services, host, domain, "--http2", "-w", "\n%{http_version}", path="/hello")
    assert result.rc == 0, result.stderr
    body, version = result.stdout.rsplit("\n", 1)
    assert version == "2"
    answer = json.loads(body)
    assert answer["app"] == DOMAINS[prefix][0]
    assert answer["host"] == domain


@pytest.mark.parametrize("prefix", DOMAINS)
def test_each_domain_has_its_own_certificate_issued_by_pebble(host, services, prefix):
    domain = "%s.%s" % (prefix, suffix(host))
    cert = services.run(
        "echo | openssl s_client -connect %s:443 -servername %s 2>/dev/null"
        " | openssl x509 -noout -issuer -ext subjectAltName" % (target_ip(host), domain)
    )
    assert cert.rc == 0, cert.stderr
    assert re.search(r"^issuer=.*Pebble Intermediate CA", cert.stdout, re.M), cert.stdout
    assert re.findall(r"DNS:([^,\s]+)", cert.stdout) == [domain]


def test_certificates_are_distinct_per_domain(host, services):
    serials = set()
    for prefix in DOMAINS:
        domain = "%s.%s" % (prefix, suffix(host))
        serial = services.run(
            "echo | openssl s_client -connect %s:443 -servername %s 2>/dev/null | openssl x509 -noout -serial"
            % (target_ip(host), domain)
        )
        serials.add(serial.stdout.strip())
    assert len(serials) == len(DOMAINS)


@pytest.mark.parametrize("prefix", DOMAINS)
def test_plain_http_redirects_to_https(host, services, prefix):
    domain = "%s.%s" % (prefix, suffix(host))
    result = curl(services, host, domain, "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}",
                  "http://%s/some/path?q=1" % domain)
    assert result.stdout == "308 https://%s/some/path?q=1" % domain


@pytest.mark.parametrize("prefix", DOMAINS)
def test_responses_carry_the_security_headers(host, services, prefix):
    domain = "%s.%s" % (prefix, suffix(host))
    result = curl(services, host, domain, "-D", "-", "-o", "/dev/null")
    headers = headers_of(result.stdout)
    assert headers["strict-transport-security"] == "max-age=%d" % DOMAINS[prefix][1]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "server" not in headers  # neither Caddy's nor the upstream's


def test_responses_are_compressed_when_the_client_asks(host, services):
    domain = "shop." + suffix(host)
    for encoding in ("zstd", "gzip"):
        result = curl(services, host, domain, "-H", "Accept-Encoding: %s" % encoding, "-D", "-", "-o", "/dev/null",
                      path="/" + "x" * 600)
        assert headers_of(result.stdout).get("content-encoding") == encoding


def test_gzip_answers_use_the_configured_level(host):
    caddyfile = host.file("/etc/caddy/Caddyfile").content_string
    assert "\tencode {\n\t\tzstd\n\t\tgzip 3\n\t}\n" in caddyfile  # caddy_gzip_level: 3, zstd still preferred


def test_the_upstream_sees_the_client_address_and_https(host, services):
    domain = "api." + suffix(host)
    client_ip = services.run("hostname -I").stdout.split()[0]
    answer = json.loads(curl(services, host, domain, "-H", "X-Forwarded-For: 203.0.113.9").stdout)
    assert answer["x_forwarded_for"] == client_ip  # a spoofed header is replaced
    assert answer["x_forwarded_proto"] == "https"


def test_request_bodies_over_the_app_limit_are_refused(host, services):
    domain = "shop." + suffix(host)  # caddy.max_body_size: 1MB
    services.run_expect([0], "head -c 2000000 /dev/zero > /tmp/big && head -c 500000 /dev/zero > /tmp/small")
    big = curl(services, host, domain, "-w", "\\n%{http_code}", "--data-binary", "@/tmp/big", path="/too-big")
    small = curl(services, host, domain, "--data-binary", "@/tmp/small")
    # Caddy answers 413, or resets the upload once the limit is passed; the
    # app never receives the body.
    assert big.stdout.rsplit("\n", 1)[-1] in ("413", "000"), big.stdout
    assert "body_size" not in big.stdout
    assert json.loads(small.stdout)["body_size"] == 500000
    api = curl(services, host, "api." + suffix(host), "--data-binary", "@/tmp/big")  # role default 10MB
    assert json.loads(api.stdout)["body_size"] == 2000000


def test_access_log_is_json_per_app(host, services):
    domain = "api." + suffix(host)
    curl(services, host, domain, path="/logged-request")
    lines = host.file("/var/log/caddy/access-api.log").content_string.splitlines()
    entries = [json.loads(line) for line in lines]
    assert any(e["request"]["uri"] == "/logged-request" and e["request"]["host"] == domain for e in entries)
    assert all(e["request"]["host"].startswith("api.") for e in entries)


def test_requests_wait_for_a_restarting_upstream_instead_of_failing(host, services):
    domain = "shop." + suffix(host)
    loop = (
        "for i in $(seq 1 40); do curl -sS -o /dev/null --max-time 20 --cacert %s --resolve %s:443:%s"
        " -w '%%{http_code} %%{time_total}\\n' https://%s/loop/$i; sleep 0.1; done"
        % (PEBBLE_ROOT, domain, target_ip(host), domain)
    )
    client = subprocess.Popen(["docker", "exec", SERVICES, "bash", "-c", loop], stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(1)
        host.run_expect([0], "systemctl stop fastapi-shop.service")
        assert not host.socket("unix:///run/fastapi-shop/gunicorn.sock").is_listening
        time.sleep(2)
        host.run_expect([0], "systemctl start fastapi-shop.service")
        output = client.communicate(timeout=120)[0]
    finally:
        client.kill()
    results = [line.split() for line in output.splitlines()]
    assert len(results) == 40
    assert [code for code, _seconds in results if code != "200"] == []
    # Some requests arrived while the upstream was down and were held, not refused.
    assert max(float(seconds) for _code, seconds in results) >= 1.0


def test_caddy_is_the_pinned_official_release(host):
    assert host.run("caddy version").stdout.startswith("v2.10.2 ")
    binary = host.file("/usr/local/bin/caddy")
    assert binary.is_symlink and binary.linked_to == "/usr/local/lib/caddy/2.10.2/caddy"
    with open(LAB) as lab:  # the binary of the official release, as mirrored by prepare.yml
        official = json.load(lab)["binary_checksum"].split(":", 1)[1]
    assert host.file("/usr/local/lib/caddy/2.10.2/caddy").sha256sum == official


def running_config(host):
    """The JSON configuration the running Caddy holds, from its admin socket."""
    script = (
        "import http.client, socket, sys\n"
        "class Unix(http.client.HTTPConnection):\n"
        "    def connect(self):\n"
        "        self.sock = socket.socket(socket.AF_UNIX)\n"
        "        self.sock.connect(sys.argv[1])\n"
        "connection = Unix('localhost')\n"
        "connection.request('GET', '/config/')\n"
        "answer = connection.getresponse()\n"
        "assert answer.status == 200, (answer.status, answer.read())\n"
        "sys.stdout.write(answer.read().decode())\n"
    )
    return json.loads(host.check_output("python3 -c %s %s" % (shlex.quote(script), ADMIN_SOCKET)))


def test_the_live_caddyfile_is_the_validated_candidate_and_what_caddy_runs(host):
    live = host.file(CADDYFILE)
    assert live.user == "root" and live.group == "caddy" and live.mode == 0o640
    validated = host.file(VALIDATED_CANDIDATE_SHA256)
    assert validated.exists, "side_effect.yml did not record the validated candidate"
    assert live.sha256sum == validated.content_string.strip()
    # The unit starts and reloads Caddy with that file, and the running process was started with it.
    for prop in ("ExecStart", "ExecReload"):
        command = host.check_output("systemctl show -P %s caddy.service" % prop)
        assert re.search(r"--config %s --adapter caddyfile( |$)" % re.escape(CADDYFILE), command), command
    pid = host.check_output("systemctl show -P MainPID caddy.service")
    argv = host.file("/proc/%s/cmdline" % pid).content_string.split("\0")
    assert argv[argv.index("--config") + 1] == CADDYFILE
    # What Caddy holds now is that file's configuration, the reload included.
    adapted = json.loads(host.check_output("caddy adapt --adapter caddyfile --config %s 2>/dev/null" % CADDYFILE))
    assert running_config(host) == adapted


def test_caddy_runs_as_its_own_user_with_only_the_bind_capability(host):
    assert host.service("caddy").is_running and host.service("caddy").is_enabled
    pid = host.run("systemctl show -P MainPID caddy.service").stdout.strip()
    status = host.file("/proc/%s/status" % pid).content_string
    uid = re.search(r"^Uid:\s+(\d+)", status, re.M).group(1)
    assert uid == str(host.user("caddy").uid)
    assert re.search(r"^CapEff:\s+0000000000000400$", status, re.M)  # CAP_NET_BIND_SERVICE only
    assert re.search(r"^CapBnd:\s+0000000000000400$", status, re.M)
    assert "caddy" in host.user("caddy").groups


def test_unit_security_exposure_is_low(host):
    out = host.run("systemd-analyze security caddy.service --no-pager").stdout
    score = float(re.search(r"Overall exposure level for caddy.service: ([0-9.]+)", out).group(1))
    print("systemd-analyze security caddy.service: %.1f" % score)
    assert score <= 2.0


def test_admin_api_is_not_on_the_network(host):
    assert not host.socket("tcp://127.0.0.1:2019").is_listening
    admin = host.file("/run/caddy")
    assert admin.user == "caddy" and admin.mode == 0o750


def test_certificates_persist_and_are_not_issued_again(host, services):
    domains = ["%s.%s" % (prefix, suffix(host)) for prefix in DOMAINS]

    def obtained():
        log = host.run("journalctl -u caddy.service -o cat --no-pager").stdout
        return sorted(re.findall(r'"msg":"certificate obtained successfully","identifier":"([^"]+)"', log))

    assert obtained() == sorted(domains)  # after converge, idempotence and side effects
    for domain in domains:
        assert host.file("/var/lib/caddy/certificates").user == "caddy"
        found = host.run("find /var/lib/caddy/certificates -name %s.crt" % domain).stdout.split()
        assert len(found) == 1
    host.run_expect([0], "systemctl restart caddy.service")
    result = curl(services, host, domains[0], "-o", "/dev/null", "-w", "%{http_code}")
    assert result.stdout == "200"
    assert obtained() == sorted(domains)
    # Pebble issued one certificate per domain of both targets, no more.
    issued = services.run("journalctl -u pebble.service -o cat --no-pager | grep -c 'Issued certificate serial'")
    assert int(issued.stdout) == 2 * len(DOMAINS)


def scrape(host):
    """caddy_http_requests_total by host label, scraped on the target's loopback as Prometheus would."""
    script = (
        "import sys, urllib.request\n"
        "opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))\n"
        "answer = opener.open(sys.argv[1], timeout=10)\n"
        "assert answer.headers.get_content_type() == 'text/plain', answer.headers\n"
        "sys.stdout.write(answer.read().decode())\n"
    )
    text = host.check_output("python3 -c %s %s" % (shlex.quote(script), METRICS_URL))
    counts = {}
    for labels, value in re.findall(r"^caddy_http_requests_total\{([^}]*)\} (\S+)$", text, re.M):
        name = dict(re.findall(r'(\w+)="([^"]*)"', labels)).get("host", "")
        counts[name] = counts.get(name, 0) + float(value)
    codes = set(re.findall(r'^caddy_http_request_duration_seconds_count\{[^}]*code="(\d+)"[^}]*host="([^"]+)"', text, re.M))
    return counts, codes


def test_metrics_count_requests_per_app_domain(host, services):
    domains = ["%s.%s" % (prefix, suffix(host)) for prefix in DOMAINS]
    before, _codes = scrape(host)
    for domain in domains:
        for number in range(3):
            assert curl(services, host, domain, "-o", "/dev/null", path="/metrics-%d" % number).rc == 0
    after, codes = scrape(host)
    for domain in domains:
        assert after.get(domain, 0) - before.get(domain, 0) >= 3, (domain, before, after)
        assert ("200", domain) in codes  # per status code as well


def test_metrics_are_served_only_on_loopback(host, services):
    assert host.socket("tcp://127.0.0.1:9180").is_listening
    listening = host.check_output("ss -Hltn 'sport = :9180'")
    assert [line.split()[3] for line in listening.splitlines()] == ["127.0.0.1:9180"]
    # From the client's side: nothing answers on the metrics port ...
    refused = services.run("curl -sS --max-time 5 http://%s:9180/metrics" % target_ip(host))
    assert refused.rc == 7, (refused.rc, refused.stdout, refused.stderr)  # connection refused
    # ... and the public sites have no metrics of Caddy's (the app answers that path).
    public = curl(services, host, "shop." + suffix(host), path="/metrics")
    assert public.rc == 0 and "caddy_http_requests_total" not in public.stdout
    assert json.loads(public.stdout)["app"] == "shop"


def test_plain_http_for_names_of_no_app_is_closed_and_not_counted(host, services):
    result = services.run("curl -sS --max-time 5 -H 'Host: random-1.invalid' http://%s/" % target_ip(host))
    assert result.rc == 52, (result.rc, result.stdout, result.stderr)  # empty reply: closed
    counts, _codes = scrape(host)
    assert "random-1.invalid" not in counts


def test_status_shows_when_each_served_certificate_expires(host, services):
    status = json.loads(host.file(STATUS).content_string)
    shown = {entry["name"]: entry for entry in status["certificates"]}
    assert sorted(shown) == sorted("%s.%s" % (prefix, suffix(host)) for prefix in DOMAINS)
    for domain, entry in shown.items():
        # What an outside client gets for that name, read with openssl.
        end = services.check_output(
            "echo | openssl s_client -connect %s:443 -servername %s 2>/dev/null"
            " | openssl x509 -noout -enddate -dateopt iso_8601" % (target_ip(host), domain))
        not_after = end.split("=", 1)[1].strip().replace(" ", "T")  # 2031-12-02 00:28:37Z
        assert entry["error"] == "" and entry["not_after"] == not_after, (entry, end)
        assert entry["issuer"].startswith("Pebble Intermediate CA") and not entry["expired"]
        assert entry["days_left"] > 0
        line = "certificate of %s: expires %s (%d days left), issuer %s" % (
            domain, not_after, entry["days_left"], entry["issuer"])
        assert line in status["lines"], status["lines"]
