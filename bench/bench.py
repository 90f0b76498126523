"""`make bench`: measure the deployed stack and the deploys, in a sandbox of containers.

Run by bench/run.sh from the repository root with the toolchain venv's Python
(`python bench/bench.py`, or `python bench/bench.py down` to remove the
sandbox, `python bench/bench.py report FILE.json` to write docs/benchmarks.md
from a result). Every knob is an environment variable (bench/README.md).

The sandbox: Docker network fastapi-ops-bench, containers fastapi-ops-bench-*
labelled org.fastapi-ops.bench (BIND, Pebble, a load client, the target and,
for the floor, a second fresh target). Traffic goes only to those containers.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import time

import benchlib

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(REPO, "bench")
NETWORK = "fastapi-ops-bench"
LABEL = "org.fastapi-ops.bench"
TARGET = "fastapi-ops-bench-target"
FLOOR = "fastapi-ops-bench-floor"
CLIENT = "fastapi-ops-bench-client"
# The cluster part (docs/multi-host.md): an edge in front of app hosts 1..N.
EDGE = "fastapi-ops-bench-edge"
APP_HOST = "fastapi-ops-bench-app%d"
CLUSTER_INVENTORY = "cluster-inventory.json"
BASE_IMAGE = "fastapi-ops-lab/debian:12"
IMAGE = "fastapi-ops-bench/target:12"
RECIPE_LABEL = "org.fastapi-ops.bench.recipe"
DOMAIN = "app.example.test"
APP = "hello"
HOME = "/srv/fastapi/" + APP
PORTS = {"ours": 443, "nginx": 8443, "gunicorn": 8000, "uvicorn": 8001, "uvicorn-workers": 8002, "granian": 8003}
# Caddy's admin endpoint (roles/caddy/vars/main.yml: _caddy_admin_socket), which serves Go's pprof.
CADDY_ADMIN_SOCKET = "/run/caddy/admin.sock"
# The cells of `ours` during which Caddy's CPU is profiled (protocol,
# endpoint), each in an extra run of PROFILE_SECONDS (at least BENCH_DURATION):
# Caddy gets a part of the one CPU, and pprof samples 100 times a second.
PROFILED_CELLS = (("h1", "/"), ("h2", "/"), ("h1", "/orders"))
PROFILE_SECONDS = 10
# Run in the target with python3 (ARGV: socket, path, output file): GET over a
# Unix socket, the body into the file, exit 1 unless the answer is 200.
PPROF_FETCH = """
import socket, sys
sock = socket.socket(socket.AF_UNIX)
sock.settimeout(120)
sock.connect(sys.argv[1])
sock.sendall(("GET %s HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n" % sys.argv[2]).encode())
data = sock.makefile("rb").read()
head, _sep, body = data.partition(b"\\r\\n\\r\\n")
if b" 200 " not in head.split(b"\\r\\n", 1)[0] + b" ":
    sys.exit("answer: %s %s" % (head[:200], body[:300]))
open(sys.argv[3], "wb").write(body)
"""
SSH_USER = "deploy"
# Granian, installed from PyPI into a virtualenv of its own on the target that
# reuses the live release's packages (bench/alternatives.yml).
GRANIAN_VERSION = "2.8.9"
# The target image: the lab's bare Debian 12 with an SSH server and a sudo
# user, as a freshly rented server has; no package lists, so the first apt
# run updates them, as it would on a server whose image is weeks old.
IMAGE_RECIPE = (
    "apt-get update -qq"
    " && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssh-server >/dev/null"
    " && useradd --create-home --shell /bin/bash " + SSH_USER +
    " && echo '" + SSH_USER + " ALL=(ALL) NOPASSWD:ALL' >/etc/sudoers.d/" + SSH_USER +
    " && chmod 0440 /etc/sudoers.d/" + SSH_USER +
    " && apt-get clean && rm -rf /var/lib/apt/lists/*"
)
# Environment variables that would override the Ansible configurations compared.
ANSIBLE_OVERRIDES = ("ANSIBLE_PIPELINING", "ANSIBLE_SSH_PIPELINING", "ANSIBLE_SSH_ARGS", "ANSIBLE_FORKS",
                     "ANSIBLE_GATHERING", "ANSIBLE_CACHE_PLUGIN", "ANSIBLE_CACHE_PLUGIN_CONNECTION",
                     "ANSIBLE_CACHE_PLUGIN_TIMEOUT", "ANSIBLE_CONFIG", "ANSIBLE_SSH_CONTROL_PATH_DIR",
                     "ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_INVENTORY")


def log(message):
    print("bench: %s" % message, file=sys.stderr, flush=True)


def run(argv, check=True, input_text=None, env=None, cwd=REPO, timeout=None):
    """Run a command, return its CompletedProcess (text); raise with its output when it fails."""
    result = subprocess.run(argv, cwd=cwd, env=env, input=input_text, text=True, capture_output=True, timeout=timeout, check=False)
    if check and result.returncode != 0:
        raise RuntimeError("%s failed (%d):\n%s%s" % (shlex.join(argv), result.returncode, result.stdout[-3000:], result.stderr[-3000:]))
    return result


def docker_exec(container, command, check=True, input_text=None, timeout=None):
    argv = ["docker", "exec"] + (["-i"] if input_text is not None else []) + [container, "bash", "-c", command]
    return run(argv, check=check, input_text=input_text, timeout=timeout)


class Bench:
    """One `make bench` run: its knobs, its sandbox, its figures."""

    def __init__(self, knobs, env):
        self.knobs = knobs
        self.env = env
        self.out = os.path.join(REPO, knobs["out"]) if not os.path.isabs(knobs["out"]) else knobs["out"]
        self.state = os.path.join(self.out, "state")
        self.logs = os.path.join(self.state, "logs")
        self.key = os.path.join(self.state, "id_ed25519")
        self.started = time.time()
        self.stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        self.results = {"started": self.stamp, "knobs": knobs, "notes": [],
                        "env": {k: v for k, v in env.items() if k.startswith("BENCH_")},
                        "default_run": benchlib.is_default_run(env)}
        self.services = None
        self.target_ip = None
        self.workers = None
        os.makedirs(self.logs, exist_ok=True)

    # --- sandbox ---------------------------------------------------------

    def image(self):
        """The target image exists and matches its recipe (rebuilt when the lab image or recipe changed)."""
        base = run(["docker", "image", "inspect", "-f", "{{.Id}}", BASE_IMAGE]).stdout.strip()
        want = hashlib.sha256((IMAGE_RECIPE + base).encode()).hexdigest()[:16]
        have = run(["docker", "image", "inspect", "-f", '{{ index .Config.Labels "%s" }}' % RECIPE_LABEL, IMAGE], check=False).stdout.strip()
        if have == want:
            return
        log("building %s from %s (openssh-server, user %s)" % (IMAGE, BASE_IMAGE, SSH_USER))
        cid = run(["docker", "create", "--label", "%s=build" % LABEL, BASE_IMAGE, "/bin/sh", "-c", IMAGE_RECIPE]).stdout.strip()
        try:
            run(["docker", "start", "-a", cid], timeout=600)
            run(["docker", "commit", "--change", 'CMD ["/lib/systemd/systemd"]', "--change",
                 "LABEL %s=%s" % (RECIPE_LABEL, want), cid, IMAGE])
        finally:
            run(["docker", "rm", "-f", cid], check=False)

    def ssh_key(self):
        if not os.path.exists(self.key):
            run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "fastapi-ops-bench", "-f", self.key])

    def up_services(self):
        log("services: BIND, Pebble (and the Caddy mirror), client (bench/up.yml)")
        self.playbook(["bench/up.yml"], "recommended", "up", inventory=None)
        with open(os.path.join(self.state, "services.json")) as handle:
            self.services = json.load(handle)

    def container(self, name, cpuset=None, net_admin=False):
        """A fresh systemd container of the target image on the bench network (on BENCH_TARGET_CPUS unless
        ``cpuset``; with NET_ADMIN, which nftables needs, if ``net_admin``); returns its address."""
        run(["docker", "rm", "-f", name], check=False)
        cpuset = self.knobs["target_cpus"] if cpuset is None else cpuset
        cpus = ["--cpuset-cpus", cpuset] if cpuset else []
        argv = ["docker", "run", "-d", "--name", name, "--hostname", name, "--network", NETWORK,
                "--label", "%s=sandbox" % LABEL, "--cap-add", "SYS_ADMIN", "--security-opt", "seccomp=unconfined",
                "--cgroupns=host", "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw", "--tmpfs", "/run", "--tmpfs", "/run/lock"]
        run(argv + (["--cap-add", "NET_ADMIN"] if net_admin else []) + cpus + [IMAGE, "/lib/systemd/systemd"])
        state = ""
        for _attempt in range(30):
            # Right after `docker run` systemd may not answer yet.
            state = docker_exec(name, "systemctl is-system-running --wait", check=False, timeout=120).stdout.strip()
            if state in ("running", "degraded"):
                break
            time.sleep(1)
        if state not in ("running", "degraded"):
            raise RuntimeError("%s did not boot: %s" % (name, state))
        with open(self.key + ".pub") as handle:
            docker_exec(name, "install -d -m 0700 -o {u} -g {u} /home/{u}/.ssh && cat > /home/{u}/.ssh/authorized_keys"
                        " && chown {u}: /home/{u}/.ssh/authorized_keys && chmod 0600 /home/{u}/.ssh/authorized_keys".format(u=SSH_USER),
                        input_text=handle.read())
        address = run(["docker", "inspect", "-f", "{{ (index .NetworkSettings.Networks \"%s\").IPAddress }}" % NETWORK, name]).stdout.strip()
        for _attempt in range(60):
            if run(["ssh", "-i", self.key, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                    "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=2", "%s@%s" % (SSH_USER, address), "true"], check=False).returncode == 0:
                return address
            time.sleep(1)
        raise RuntimeError("no SSH answer from %s (%s)" % (name, address))

    def fresh_target(self):
        self.target_ip = self.container(TARGET)
        self.write_inventory()
        # A new server: facts cached about the previous one do not apply.
        for name in benchlib.ANSIBLE_CONFIGS:
            shutil.rmtree(os.path.join(self.state, "facts-" + name), ignore_errors=True)
        self.close_ssh()
        self.set_client_hosts()

    def existing_target(self):
        """The address of the running target, or None."""
        result = run(["docker", "inspect", "-f", "{{ .State.Running }} {{ (index .NetworkSettings.Networks \"%s\").IPAddress }}" % NETWORK, TARGET],
                     check=False)
        fields = result.stdout.split()
        if result.returncode == 0 and len(fields) == 2 and fields[0] == "true":
            return fields[1]
        return None

    def write_inventory(self, hosts=None, name="inventory.json", edges=(), app_hosts=()):
        """The inventory of the target (or of ``hosts``, in the multi-host groups ``edges`` and ``app_hosts``) in the state directory."""
        services = self.services
        inventory = benchlib.inventory(
            hosts or {TARGET: self.target_ip},
            {
                "ansible_user": SSH_USER,
                "ansible_ssh_private_key_file": self.key,
                # Every fresh container is a new host at a possibly reused address.
                "ansible_ssh_common_args": "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR",
            },
            {
                "bench_hello_source": os.path.join(REPO, "examples", APP),
                "fastapi_apps": [{
                    "name": APP, "domain": DOMAIN,
                    "source": {"path": "{{ bench_hello_source }}"},
                    "asgi": "main:app",
                    "health_check": {"path": "/health", "body": '"ok"'},
                }],
                "dns_provider": "rfc2136",
                "dns_zone": services["zone"],
                "dns_owner": "fastapi-ops-bench",
                "dns_private_addresses": True,
                "dns_nameservers": [services["bind_address"]],
                "dns_wait_timeout": 30,
                "dns_wait_interval": 1,
                "dns_rfc2136_server": services["bind_address"],
                "dns_rfc2136_key_name": services["tsig_key_name"],
                "dns_rfc2136_key_secret": services["tsig_secret"],
                "caddy_acme_ca": services["pebble_directory"],
                "caddy_acme_ca_root": services["pebble_listener_ca"],
                "caddy_acme_email": "ops@example.org",
                # The baseline (roles/host) needs NET_ADMIN and changes what
                # the comparisons measure; scenario host tests it.
                "fastapi_host_baseline": False,
                "caddy_download_base_url": services["mirror_url"],
                "caddy_checksums": {"amd64": services["archive_checksum"]},
            },
            edges, app_hosts)
        path = os.path.join(self.state, name)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
            json.dump(inventory, handle, indent=2)

    def set_client_hosts(self, address=None):
        """The client resolves the app's domain to the target, or to ``address`` (wrk and h2load send it as Host and SNI)."""
        docker_exec(CLIENT, "grep -v ' %s$' /etc/hosts > /tmp/hosts; echo '%s %s' >> /tmp/hosts; cat /tmp/hosts > /etc/hosts"
                    % (DOMAIN, address or self.target_ip, DOMAIN))

    def down(self):
        ids = run(["docker", "ps", "-aq", "--filter", "label=" + LABEL]).stdout.split()
        if ids:
            run(["docker", "rm", "-f"] + ids)
        run(["docker", "network", "rm", NETWORK], check=False)
        self.close_ssh()

    # --- Ansible ----------------------------------------------------------

    def configs(self):
        with open(os.path.join(REPO, "examples", "site", "ansible.cfg")) as handle:
            example = handle.read()
        for name in benchlib.ANSIBLE_CONFIGS:
            os.makedirs(os.path.join(self.state, "cp-" + name), exist_ok=True)
            with open(os.path.join(self.state, "ansible-%s.cfg" % name), "w") as handle:
                handle.write(benchlib.ansible_cfg(name, example, os.path.join(REPO, "collections"), self.state))

    def close_ssh(self):
        """No SSH connection is left open: the next run logs in, as one started a while later does."""
        for name in benchlib.ANSIBLE_CONFIGS:
            directory = os.path.join(self.state, "cp-" + name)
            for socket in os.listdir(directory) if os.path.isdir(directory) else []:
                run(["ssh", "-o", "ControlPath=" + os.path.join(directory, socket), "-O", "exit", "bench"], check=False)

    def playbook(self, args, config, label, inventory="inventory.json", check=True):
        """Run ansible-playbook as a user would; return (seconds, recap) and keep its output in the logs."""
        env = {k: v for k, v in os.environ.items() if k not in ANSIBLE_OVERRIDES}
        env.update({"ANSIBLE_CONFIG": os.path.join(self.state, "ansible-%s.cfg" % config), "ANSIBLE_NOCOLOR": "1",
                    "ANSIBLE_FORCE_COLOR": "0", "ANSIBLE_LOCALHOST_WARNING": "0", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
                    "BENCH_STATE_DIR": self.state, "BENCH_CLIENT_CPUS": self.knobs["client_cpus"]})
        argv = ["ansible-playbook"] + (["-i", os.path.join(self.state, inventory)] if inventory else []) + args
        began = time.monotonic()
        result = subprocess.run(argv, cwd=REPO, env=env, text=True, capture_output=True, check=False)
        seconds = round(time.monotonic() - began, 2)
        path = os.path.join(self.logs, "%s.log" % label.replace(" ", "-"))
        with open(path, "w") as handle:
            handle.write("$ %s\n# %s s, exit %d\n%s\n%s" % (shlex.join(argv), seconds, result.returncode, result.stdout, result.stderr))
        recap = benchlib_recap(result.stdout)
        if check and result.returncode != 0:
            raise RuntimeError("%s failed after %s s (exit %d); see %s\n%s" % (label, seconds, result.returncode, path, result.stdout[-2500:]))
        log("%-34s %7.1f s  %s" % (label, seconds, recap))
        return seconds, recap

    # --- provisioning -------------------------------------------------------

    def provisioning(self):
        knobs = self.knobs
        figures = {}
        cold, cold_changed = [], []
        for number in range(1, knobs["cold_runs"] + 1):
            self.fresh_target()
            seconds, recap = self.playbook(["site.yml"], "recommended", "cold site %d" % number)
            cold.append(seconds)
            cold_changed.append(recap.get("changed"))
        self.check_https()
        floor = [self.floor(number) for number in range(1, knobs["cold_runs"] + 1)]
        warm = {name: [] for name in knobs["ansible_configs"]}
        noop = {name: [] for name in knobs["ansible_configs"]}
        warm_changed = []
        for number in range(1, knobs["runs"] + 1):
            for name in knobs["ansible_configs"]:
                self.close_ssh()
                seconds, recap = self.playbook(["site.yml"], name, "warm site %s %d" % (name, number))
                warm[name].append(seconds)
                warm_changed.append(recap.get("changed"))
                self.close_ssh()
                noop[name].append(self.playbook(["bench/noop.yml"], name, "noop %s %d" % (name, number))[0])
        floor_fig = benchlib.figure(floor)
        floor_fig["baseline"] = None
        figures["floor: the same installs by plain shell (bench/floor.sh), fresh container"] = floor_fig
        cold_fig = benchlib.figure(cold, floor_fig)
        cold_fig["baseline"] = "floor"
        figures["cold `site.yml`, fresh container (recommended ansible.cfg)"] = cold_fig
        base_config = knobs["ansible_configs"][0]
        for name in knobs["ansible_configs"]:
            noop_fig = benchlib.figure(noop[name])
            noop_fig["baseline"] = None
            figures["Ansible's fixed cost: no-op play with facts (%s)" % name] = noop_fig
            fig = benchlib.figure(warm[name], noop_fig)
            fig["baseline"] = "no-op play (%s)" % name
            figures["warm re-run of `site.yml`, nothing changed (%s)" % name] = fig
        if len(knobs["ansible_configs"]) > 1:
            for name in knobs["ansible_configs"][1:]:
                fig = benchlib.figure(warm[name], benchlib.figure(warm[base_config]))
                fig["baseline"] = "warm re-run (%s)" % base_config
                figures["warm re-run, %s vs %s settings" % (name, base_config)] = fig
        figures.update(self.deploys(benchlib.figure(noop.get("recommended") or noop[base_config])))
        self.results["provisioning"] = {
            "setup": ("Each run is one `ansible-playbook` from the controller (this host) to the target container over SSH "
                      "(user `%s` with sudo, address on the bench network). Cold runs start from a fresh container of the "
                      "bench image (the lab's Debian 12 with openssh-server, no package lists); the floor runs "
                      "`bench/floor.sh` in another fresh container of the same image (`docker exec`). Before each warm "
                      "re-run and no-op play every SSH connection is closed. `defaults` is Ansible's own configuration, "
                      "`recommended` the speed settings of `examples/site/ansible.cfg`. Changed tasks: cold %s, warm %s."
                      % (SSH_USER, cold_changed, warm_changed)),
            "figures": figures,
        }

    def deploys(self, noop_fig):
        """Code-only deploys (deploy.yml), with the defaults and with each of BENCH_DEPLOY_VARIANTS."""
        knobs = self.knobs
        figures = {}
        deploy_fig = None
        for variant in [None] + knobs["deploy_variants"]:
            path = variant if variant is None or os.path.isabs(variant) else os.path.join(REPO, variant)
            name = os.path.splitext(os.path.basename(path))[0] if path else "default"
            times = []
            for number in range(1, knobs["runs"] + 1):
                source = self.release_copy("%s-%d" % (name, number))
                self.close_ssh()
                extra = ["-e", "@" + path] if path else []
                times.append(self.playbook(["fastapi_ops.server.deploy", "-e", "bench_hello_source=" + source] + extra, "recommended",
                                           "deploy %s %d" % (name, number))[0])
            if path is None:
                deploy_fig = benchlib.figure(times, noop_fig)
                deploy_fig["baseline"] = "no-op play (recommended)"
                figures["code-only deploy (`deploy.yml`, one changed file)"] = deploy_fig
            else:
                fig = benchlib.figure(times, deploy_fig)
                fig["baseline"] = "code-only deploy"
                figures["code-only deploy, variant `%s`: %s" % (name, variant_description(path, "deploy.yml"))] = fig
        self.check_https()
        return figures

    def deploys_only(self):
        """The `deploys` part alone, on the running (or a newly deployed) target."""
        self.ensure_deployed()
        noop = [self.playbook(["bench/noop.yml"], "recommended", "noop recommended %d" % number)[0] for number in range(1, self.knobs["runs"] + 1)]
        noop_fig = benchlib.figure(noop)
        noop_fig["baseline"] = None
        figures = {"Ansible's fixed cost: no-op play with facts (recommended)": noop_fig}
        figures.update(self.deploys(noop_fig))
        self.results["provisioning"] = {
            "setup": "Code-only deploys over SSH with the recommended settings (`examples/site/ansible.cfg`), each one a new release.",
            "figures": figures,
        }

    def release_copy(self, label):
        """examples/hello with one changed file (main.py), a new release each time."""
        dest = os.path.join(self.state, "releases", "hello-%s" % label)
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(os.path.join(REPO, "examples", APP), dest)
        with open(os.path.join(dest, "main.py"), "a") as handle:
            handle.write("\n# bench deploy %s-%s\n" % (self.stamp, label))
        return dest

    def floor(self, number):
        """Seconds bench/floor.sh takes in a fresh container of the target image."""
        self.container(FLOOR)
        python_defaults = read_yaml(os.path.join(REPO, "roles", "python", "defaults", "main.yml"))
        app_defaults = read_yaml(os.path.join(REPO, "roles", "app", "defaults", "main.yml"))
        uv_line = "uv==%s%s\n" % (python_defaults["python_uv_version"], "".join(" --hash=" + h for h in python_defaults["python_uv_hashes"]))
        docker_exec(FLOOR, "mkdir -p /root/floor/hello && cat > /root/floor/uv-requirements.txt", input_text=uv_line)
        run(["docker", "cp", os.path.join(BENCH, "floor.sh"), FLOOR + ":/root/floor/floor.sh"])
        run(["docker", "cp", os.path.join(REPO, "examples", APP) + "/.", FLOOR + ":/root/floor/hello/"])
        caddy_version = read_yaml(os.path.join(REPO, "roles", "caddy", "defaults", "main.yml"))["caddy_version"]
        env = {"FLOOR_CADDY_URL": "%s/v%s/caddy_%s_linux_amd64.tar.gz" % (self.services["mirror_url"], caddy_version, caddy_version),
               "FLOOR_CADDY_CHECKSUM": self.services["archive_checksum"],
               "FLOOR_SERVER_PACKAGES": " ".join(app_defaults["app_server_packages"])}
        argv = ["docker", "exec"] + [x for k, v in env.items() for x in ("-e", "%s=%s" % (k, v))] + [FLOOR, "bash", "/root/floor/floor.sh"]
        began = time.monotonic()
        result = run(argv, check=False)
        seconds = round(time.monotonic() - began, 2)
        with open(os.path.join(self.logs, "floor-%d.log" % number), "w") as handle:
            handle.write("# %s s, exit %d\n%s\n%s" % (seconds, result.returncode, result.stdout, result.stderr))
        run(["docker", "rm", "-f", FLOOR])
        if result.returncode != 0:
            raise RuntimeError("floor.sh failed (exit %d):\n%s" % (result.returncode, result.stderr[-2500:]))
        log("%-34s %7.1f s" % ("floor %d" % number, seconds))
        return seconds

    def check_https(self):
        """The app answers over HTTPS through Caddy from the client (a few tries while Caddy gets its certificate)."""
        for _attempt in range(30):
            result = docker_exec(CLIENT, "curl -sk --max-time 5 https://%s/" % DOMAIN, check=False)
            if result.returncode == 0 and '"message"' in result.stdout:
                return result.stdout
            time.sleep(1)
        raise RuntimeError("no HTTPS answer from https://%s/ on the target" % DOMAIN)

    # --- serving ------------------------------------------------------------

    def ensure_deployed(self):
        if self.target_ip:
            return  # provisioning just deployed it
        address = self.existing_target()
        if address and os.path.exists(os.path.join(self.state, "inventory.json")):
            self.target_ip = address
            self.write_inventory()
            self.set_client_hosts()
            self.playbook(["site.yml"], "recommended", "site (serving)")
        else:
            self.fresh_target()
            self.playbook(["site.yml"], "recommended", "site (serving, cold)")
        self.check_https()

    def alternatives(self):
        """nginx, plain Gunicorn, Uvicorn (one process and N workers) and Granian run beside our stack (bench/alternatives.yml)."""
        conf = docker_exec(TARGET, "cat /etc/fastapi-ops/gunicorn/%s.conf.py" % APP).stdout
        self.workers = int(next(line.split("=")[1] for line in conf.splitlines() if line.startswith("workers")))
        self.playbook(["bench/alternatives.yml", "-e", "bench_workers=%d" % self.workers, "-e", "bench_granian_version=" + GRANIAN_VERSION],
                      "recommended", "alternatives")

    def url(self, stack, endpoint):
        scheme = "https" if stack in ("ours", "nginx") else "http"
        return "%s://%s:%d%s" % (scheme, DOMAIN, PORTS[stack], endpoint)

    def cell(self, stack, protocol, endpoint, concurrency, duration=None, containers=None):
        """One load run from the client (BENCH_DURATION long unless ``duration``); returns its figures and the CPUs each side used.

        ``containers`` (figure name to container id) are the containers
        whose CPUs are recorded, as NAME_cores; by default the target's
        (server_cores) and the client's (client_cores).
        """
        knobs = self.knobs
        duration = duration or knobs["duration"]
        containers = containers or {"server": self.ids[TARGET], "client": self.ids[CLIENT]}
        url = self.url(stack, endpoint)
        command = benchlib.load_command(protocol, url, endpoint, concurrency, duration, knobs["accept_encoding"],
                                        knobs["wrk_threads"], knobs["h2_streams"])
        before = self.cpu_sample(containers)
        output = docker_exec(CLIENT, command, timeout=duration + 60).stdout
        after = self.cpu_sample(containers)
        if protocol == "h1":
            figures = benchlib.parse_wrk(output)
        else:
            durations = benchlib.h2load_durations(docker_exec(CLIENT, "cat /tmp/h2load.log").stdout)
            figures = benchlib.parse_h2load(output, durations)
            if figures["protocol"] != "h2":
                raise RuntimeError("h2load spoke %s, not h2, to %s" % (figures["protocol"], url))
        seconds = after["time"] - before["time"]
        for name in containers:
            figures[name + "_cores"] = benchlib.cores_used(before["cpu"][name], after["cpu"][name], seconds)
        figures["host_cores"] = round((after["host"] - before["host"]) / seconds, 3) if before["host"] is not None else None
        return figures

    def prepare_client(self):
        """The order POSTed to /orders, as a file and as wrk's Lua script, in the client."""
        body = benchlib.orders_body()
        docker_exec(CLIENT, "cat > /tmp/bench-orders.json", input_text=body)
        docker_exec(CLIENT, "cat > /tmp/bench-post.lua", input_text=benchlib.wrk_post_script(body))

    def check_endpoints(self, stacks, endpoints=None):
        """Every stack answers every endpoint with 200 (a POST endpoint to the bench's order) before the load."""
        for stack in stacks:
            for endpoint in endpoints or self.knobs["endpoints"]:
                post = "-H 'content-type: application/json' --data-binary @/tmp/bench-orders.json " if benchlib.is_post(endpoint) else ""
                result = docker_exec(CLIENT, "curl -sk --max-time 10 -o /tmp/bench-answer -w '%%{http_code}' %s%s; echo; head -c 300 /tmp/bench-answer"
                                     % (post, shlex.quote(self.url(stack, endpoint))), check=False)
                if not result.stdout.startswith("200"):
                    raise RuntimeError("%s answered %s to %s: %s" % (stack, endpoint, result.stdout[:3], result.stdout[3:]))

    def profile_caddy(self, concurrency):
        """A CPU profile of Caddy (Go's pprof on its admin socket) during an extra run of each PROFILED_CELLS of `ours`."""
        profiles = []
        duration = max(PROFILE_SECONDS, self.knobs["duration"])
        for protocol, endpoint in PROFILED_CELLS:
            if protocol not in self.knobs["protocols"] or endpoint not in self.knobs["endpoints"]:
                continue
            name = "caddy-%s-%s-%s" % (protocol, endpoint.strip("/").split("?", maxsplit=1)[0] or "root", concurrency)
            remote = "/tmp/%s.pprof" % name
            # The profile covers the load run: it starts first and lasts the run's length.
            probe = subprocess.Popen(
                ["docker", "exec", TARGET, "python3", "-c", PPROF_FETCH, CADDY_ADMIN_SOCKET, "/debug/pprof/profile?seconds=%d" % duration, remote],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(0.3)
            local = os.path.join(self.state, name + ".pprof")
            entry = {"stack": "ours", "protocol": protocol, "endpoint": endpoint, "concurrency": concurrency,
                     "seconds": duration, "file": os.path.relpath(local, REPO), "figures": {}}
            # A profile that fails is reported as such; it does not cost the run its measurements.
            try:
                entry["figures"] = self.cell("ours", protocol, endpoint, concurrency, duration)
                _out, err = probe.communicate(timeout=duration + 60)
                if probe.returncode != 0:
                    raise RuntimeError("no CPU profile from Caddy's admin socket: %s" % (err.strip().splitlines() or ["?"])[-1])
                run(["docker", "cp", "%s:%s" % (TARGET, remote), local])
                entry.update(self.pprof_top(local))
            except (RuntimeError, ValueError, subprocess.TimeoutExpired) as error:
                probe.kill()
                entry["error"] = "The profile failed: %s" % str(error)[-500:]
            figures = entry["figures"]
            profiles.append(entry)
            log("profile %s %s c=%d: %.0f req/s while profiled; %s" % (
                protocol, endpoint, concurrency, float(figures.get("rps") or 0), entry.get("total") or entry.get("error")))
        return profiles

    def pprof_top(self, path):
        """The top entries of a profile, flat and cumulative, read with `go tool pprof` (installed if missing)."""
        go = ensure_go()
        if not go:
            return {"error": "`go tool pprof` is not available (Debian's golang-go could not be installed); the raw profile is kept"}
        tops = {}
        for order, flags in (("flat", ["-nodecount=15"]), ("cum", ["-nodecount=15", "-cum"]),
                             ("all", ["-nodecount=1000000", "-nodefraction=0", "-edgefraction=0"])):
            result = run([go, "tool", "pprof", "-top"] + flags + [path], check=False, timeout=300)
            if result.returncode != 0:
                return {"error": "go tool pprof failed: %s" % result.stderr.strip()[-500:]}
            tops[order] = benchlib.parse_pprof_top(result.stdout)
        return {"total": tops["flat"]["total"], "flat": tops["flat"]["entries"], "cum": tops["cum"]["entries"],
                "areas": benchlib.pprof_areas(tops["all"]["entries"]), "key_functions": benchlib.pprof_key_functions(tops["all"]["entries"])}

    def warm_up(self, stacks, endpoints):
        """Every stack answers every endpoint, then gets 2 s of load on each: its workers have started and filled their caches."""
        self.check_endpoints(stacks, endpoints)
        for stack in stacks:
            for endpoint in endpoints:
                docker_exec(CLIENT, benchlib.load_command("h1", self.url(stack, endpoint), endpoint, 16, 2, "") + " >/dev/null")

    def cpu_sample(self, containers):
        """CPU nanoseconds of each of ``containers`` (name to container id), and of the whole host, now."""
        return {"time": time.monotonic(), "cpu": {name: cgroup_cpu_ns(cid) for name, cid in containers.items()},
                "host": host_busy_seconds()}

    def measure(self, stacks, label):
        """Every cell of ``stacks``, each repeated BENCH_RUNS times, repetitions interleaved."""
        knobs = self.knobs
        cells = {}
        plan = []
        for protocol in knobs["protocols"]:
            for endpoint in knobs["endpoints"]:
                for concurrency in knobs["concurrency"]:
                    for stack in stacks:
                        if protocol == "h2" and stack not in benchlib.H2_STACKS:
                            continue
                        plan.append((stack, protocol, endpoint, concurrency))
        self.warm_up(stacks, knobs["endpoints"])
        memory = {}
        for number in range(1, knobs["runs"] + 1):
            for key in plan:
                figures = self.cell(*key)
                cells.setdefault(key, []).append(figures)
                log("%s run %d: %-8s %s %-14s c=%-3d %8.0f req/s p99 %7.2f ms  cpu %s/%s (host %s)%s" % (
                    label, number, key[0], key[1], key[2], key[3], float(figures["rps"] or 0), float(figures["p99_ms"] or -1),
                    figures["server_cores"], figures["client_cores"], figures["host_cores"],
                    "  errors %d" % figures["errors"] if figures["errors"] else ""))
            for role, values in self.memory().items():
                memory.setdefault(role, []).append(values)
        return cells, memory

    def memory(self):
        with open(os.path.join(BENCH, "memory.sh")) as handle:
            text = docker_exec(TARGET, "bash -s", input_text=handle.read()).stdout
        return benchlib.parse_memory_probe(text)

    def serving(self):
        knobs = self.knobs
        self.ensure_deployed()
        self.alternatives()
        self.ids = {name: run(["docker", "inspect", "-f", "{{.Id}}", name]).stdout.strip() for name in (TARGET, CLIENT)}
        self.prepare_client()
        cells, memory = self.measure(knobs["stacks"], "default")
        rows = benchlib.serving_rows(cells, knobs["stacks"])
        self.results["serving"] = {
            "setup": serving_setup(knobs, self.workers),
            "rows": rows,
            "cells": [{"key": list(key), "runs": runs} for key, runs in cells.items()],
            "memory": memory_figures(memory),
            "variants": [],
        }
        if knobs["profile"] and "ours" in knobs["stacks"]:
            concurrency = 64 if 64 in knobs["concurrency"] else knobs["concurrency"][0]
            self.results["serving"]["profiles"] = self.profile_caddy(concurrency)
        for variant in knobs["variants"]:
            path = variant if os.path.isabs(variant) else os.path.join(REPO, variant)
            name = os.path.splitext(os.path.basename(path))[0]
            self.playbook(["site.yml", "-e", "@" + path], "recommended", "site variant %s" % name)
            self.check_https()
            stacks = [stack for stack in ("ours", "nginx") if stack in knobs["stacks"]]
            variant_cells, variant_memory = self.measure(stacks, name)
            rows = benchlib.serving_rows(variant_cells, stacks)
            defaults = {(r["stack"], r["protocol"], r["endpoint"], r["concurrency"]): r for r in self.results["serving"]["rows"]}
            for row in rows:
                benchlib.compare_with_default(row, defaults.get((row["stack"], row["protocol"], row["endpoint"], row["concurrency"])))
            self.results["serving"]["variants"].append({
                "name": name, "file": os.path.relpath(path, REPO), "description": variant_description(path),
                "rows": rows, "memory": memory_figures(variant_memory),
                "cells": [{"key": list(key), "runs": runs} for key, runs in variant_cells.items()]})
        if knobs["variants"]:
            self.playbook(["site.yml"], "recommended", "site (back to the defaults)")

    # --- cluster ------------------------------------------------------------

    def cluster(self):
        """Requests/s through an edge in front of one, then more app hosts (BENCH_CLUSTER_APP_HOSTS), the same cells each time.

        The edge and the app hosts are fresh containers of the target image
        (on BENCH_CLUSTER_CPUS); each layout is set up by `site.yml` with the
        groups of docs/multi-host.md, the next one by adding app hosts to
        the inventory and running `site.yml` again (scaling out).
        """
        knobs = self.knobs
        counts = knobs["cluster_app_hosts"]
        log("cluster: an edge in front of %s app hosts, containers on CPUs %s" % (
            " then ".join(str(count) for count in counts), knobs["cluster_cpus"] or "any"))
        self.prepare_client()
        # NET_ADMIN: the app hosts' firewall rule for the edge is nftables (docs/multi-host.md).
        hosts = {EDGE: self.container(EDGE, knobs["cluster_cpus"], net_admin=True)}
        app_hosts = []
        cells = {}
        site_runs = []
        for count in counts:
            for number in range(len(app_hosts) + 1, count + 1):
                hosts[APP_HOST % number] = self.container(APP_HOST % number, knobs["cluster_cpus"], net_admin=True)
                app_hosts.append(APP_HOST % number)
            self.forget_facts(hosts)
            self.write_inventory(hosts, CLUSTER_INVENTORY, [EDGE], app_hosts)
            self.close_ssh()
            seconds = self.playbook(["site.yml"], "recommended", "cluster site %d app hosts" % count, inventory=CLUSTER_INVENTORY)[0]
            site_runs.append("%d app host%s: %.1f s" % (count, "" if count == 1 else "s", seconds))
            self.set_client_hosts(hosts[EDGE])
            self.check_https()
            ids = {name: run(["docker", "inspect", "-f", "{{.Id}}", name]).stdout.strip() for name in [CLIENT] + list(hosts)}
            containers = {"edge": ids[EDGE], "client": ids[CLIENT]}
            containers.update(("app%d" % number, ids[name]) for number, name in enumerate(app_hosts, 1))
            self.warm_up(["ours"], knobs["cluster_endpoints"])
            for number in range(1, knobs["runs"] + 1):
                for protocol in knobs["protocols"]:
                    for endpoint in knobs["cluster_endpoints"]:
                        for concurrency in knobs["cluster_concurrency"]:
                            figures = self.cell("ours", protocol, endpoint, concurrency, containers=containers)
                            figures["app_cores"] = [figures.pop("app%d_cores" % n) for n in range(1, count + 1)]
                            cells.setdefault((count, protocol, endpoint, concurrency), []).append(figures)
                            log("cluster %d app hosts run %d: %s %-10s c=%-3d %8.0f req/s p99 %7.2f ms  edge cpu %s, app hosts %s%s" % (
                                count, number, protocol, endpoint, concurrency, float(figures["rps"] or 0), float(figures["p99_ms"] or -1),
                                figures["edge_cores"], figures["app_cores"], "  errors %d" % figures["errors"] if figures["errors"] else ""))
        rows = benchlib.cluster_rows(cells)
        self.results["cluster"] = {
            "setup": cluster_setup(knobs, site_runs),
            "rows": rows,
            "cells": [{"key": list(key), "runs": runs} for key, runs in cells.items()],
        }
        idle = sorted({"app%d (%d app hosts)" % (n, row["app_hosts"]) for row in rows for n in row["idle_hosts"]})
        if idle:
            self.results["notes"].append("Through the edge, app hosts that served nothing in some cell: %s." % ", ".join(idle))
        if self.target_ip:
            self.set_client_hosts()
        if not knobs["keep"]:
            run(["docker", "rm", "-f"] + list(hosts))

    def forget_facts(self, hosts):
        """Facts cached about earlier containers of these names do not apply to the fresh ones."""
        for config in benchlib.ANSIBLE_CONFIGS:
            for name in hosts:
                path = os.path.join(self.state, "facts-" + config, name)
                if os.path.exists(path):
                    os.remove(path)

    # --- the run ------------------------------------------------------------

    def machine(self):
        cpu = "?"
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as handle:
            memory_kb = int(handle.readline().split()[1])
        described = {
            "CPU": cpu,
            "cores": str(os.cpu_count()),
            "memory": "%.1f GiB" % (memory_kb / 1024.0 / 1024.0),
            "kernel": platform.release(),
            "OS": os_release(),
            "Docker": run(["docker", "version", "-f", "{{.Server.Version}}"], check=False).stdout.strip(),
            "Python (controller)": platform.python_version(),
            "ansible-core": run(["ansible", "--version"], check=False).stdout.splitlines()[0].split("core ")[-1].rstrip("]"),
            "CPU pinning": "target containers on CPU %s, load client on CPU %s" % (
                self.knobs["target_cpus"] or "any", self.knobs["client_cpus"] or "any"),
        }
        if self.existing_target():
            versions = docker_exec(TARGET, (
                "echo \"Caddy: $(caddy version | cut -d' ' -f1)\"; "
                "echo \"nginx: $(nginx -v 2>&1 | cut -d/ -f2)\" 2>/dev/null; "
                "{h}/current/venv/bin/python -c 'import importlib.metadata as m; "
                "print(\"; \".join(\"%s: %s\" % (p, m.version(p)) for p in (\"gunicorn\", \"uvicorn\", \"uvicorn-worker\", \"fastapi\", \"pydantic\")))'; "
                "echo \"granian: $(/opt/fastapi-ops-bench/granian/bin/granian --version 2>/dev/null | awk '{{print $NF}}')\"; "
                "echo \"Python (target): $({h}/current/venv/bin/python -V | cut -d' ' -f2)\"").format(h=HOME), check=False).stdout
            for line in versions.replace("; ", "\n").splitlines():
                if ": " in line and line.split(": ", 1)[1].strip():
                    key, value = line.split(": ", 1)
                    described[key] = value.strip()
            described["workers"] = str(self.workers) if self.workers else "?"
        tools = docker_exec(CLIENT, "wrk -v 2>&1 | head -1 | cut -d' ' -f1-2; h2load --version", check=False).stdout
        described["load generators"] = tools.replace("\n", ", ").strip(", ")
        return described

    def main(self):
        knobs = self.knobs
        log("parts %s; %d runs per figure (cold: %d); %d s per load run; concurrency %s; results in %s" % (
            ",".join(knobs["parts"]), knobs["runs"], knobs["cold_runs"], knobs["duration"], knobs["concurrency"], self.out))
        self.results["load_before"] = os.getloadavg()
        self.image()
        self.ssh_key()
        self.configs()
        self.up_services()
        if "provisioning" in knobs["parts"]:
            self.provisioning()
        if "deploys" in knobs["parts"] and "provisioning" not in knobs["parts"]:
            self.deploys_only()
        if "serving" in knobs["parts"]:
            self.serving()
        if "cluster" in knobs["parts"]:
            self.cluster()
        self.results["machine"] = self.machine()
        self.results["load_after"] = os.getloadavg()
        self.results["finished"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        self.results["seconds"] = round(time.time() - self.started, 1)
        others = [name for name in run(["docker", "ps", "--format", "{{.Names}}"]).stdout.split() if not name.startswith("fastapi-ops-bench-")]
        self.results["notes"].append(
            "Load average %s at the start, %s at the end; %d other containers were running%s." % (
                "/".join("%.2f" % x for x in self.results["load_before"]), "/".join("%.2f" % x for x in self.results["load_after"]),
                len(others), " (the machine was shared: compare figures within this run only)" if others else ""))
        self.write()
        if not knobs["keep"]:
            log("removing the sandbox (BENCH_KEEP=1 keeps it)")
            self.down()

    def write(self):
        os.makedirs(self.out, exist_ok=True)
        base = os.path.join(self.out, "bench-%s" % self.stamp)
        text = benchlib.markdown(self.results)
        with open(base + ".json", "w") as handle:
            json.dump(self.results, handle, indent=2, default=list)
        with open(base + ".md", "w") as handle:
            handle.write(text)
        for suffix in (".json", ".md"):
            latest = os.path.join(self.out, "latest" + suffix)
            if os.path.lexists(latest):
                os.remove(latest)
            os.symlink(os.path.basename(base + suffix), latest)
        log("results: %s.json and %s.md" % (base, base))
        docs = self.knobs["docs"]
        complete = {"provisioning", "serving"} <= set(self.knobs["parts"])
        if docs == "1" or (docs == "auto" and complete and self.results["default_run"]):
            write_docs(self.results, self.env.get("BENCH_DOCS_BLOCK") or "results")
        print(text)


def benchlib_recap(stdout):
    """{ok, changed, failed, ...} of the first host in a PLAY RECAP."""
    for line in stdout.splitlines():
        if "ok=" in line and "changed=" in line and ":" in line:
            return {key: int(value) for key, value in (item.split("=") for item in line.split(":", 1)[1].split()) if value.isdigit()}
    return {}


def ensure_go():
    """The `go` command for `go tool pprof`; Debian's golang-go is installed on this host when it is missing (root only)."""
    go = shutil.which("go")
    if go or os.geteuid() != 0 or not shutil.which("apt-get"):
        return go
    log("installing Debian's golang-go on this host to read Caddy's CPU profiles (go tool pprof)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for argv in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "golang-go"]):
        if run(argv, check=False, env=env, timeout=900).returncode != 0:
            return None
    return shutil.which("go")


def cgroup_cpu_ns(container_id):
    for path in ("/sys/fs/cgroup/cpuacct/docker/%s/cpuacct.usage" % container_id,
                 "/sys/fs/cgroup/cpu,cpuacct/docker/%s/cpuacct.usage" % container_id):
        try:
            with open(path) as handle:
                return int(handle.read())
        except OSError:
            pass
    for path in ("/sys/fs/cgroup/system.slice/docker-%s.scope/cpu.stat" % container_id, "/sys/fs/cgroup/docker/%s/cpu.stat" % container_id):
        try:
            with open(path) as handle:
                for line in handle:
                    if line.startswith("usage_usec"):
                        return int(line.split()[1]) * 1000
        except OSError:
            pass
    return None


def host_busy_seconds():
    """CPU seconds the whole host spent busy since boot (all CPUs), from /proc/stat."""
    with open("/proc/stat") as handle:
        fields = [int(x) for x in handle.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / float(os.sysconf("SC_CLK_TCK"))


def read_yaml(path):
    import yaml  # the toolchain venv has it (Ansible needs it)

    with open(path) as handle:
        return yaml.safe_load(handle)


def os_release():
    try:
        with open("/etc/os-release") as handle:
            for line in handle:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.platform()


def memory_figures(memory):
    """{label: figure} of RSS per process role; the workers' figure is per worker."""
    labels = {
        "gunicorn_master": "ours: Gunicorn master", "gunicorn_worker": "ours: each Gunicorn worker", "caddy": "ours: Caddy",
        "nginx_master": "nginx master", "nginx_worker": "each nginx worker",
        "plain_master": "plain Gunicorn master", "plain_worker": "each plain Gunicorn worker", "uvicorn": "one Uvicorn process",
        "uvicorn_workers_master": "`uvicorn --workers N`: supervisor", "uvicorn_workers_worker": "`uvicorn --workers N`: each worker",
        "uvicorn_workers_master_tracker": "`uvicorn --workers N`: multiprocessing's resource tracker",
        "granian_master": "Granian: main process", "granian_worker": "Granian: each worker",
    }
    figures = {}
    for role, label in labels.items():
        runs = memory.get(role)
        if runs:
            values = [value for run_values in runs for value in run_values]
            figures[label] = benchlib.figure(values)
            figures[label]["baseline"] = None
    caddy, nginx = memory.get("caddy"), memory.get("nginx_master")
    if caddy and nginx:
        nginx_total = [sum(m) + sum(w) for m, w in zip(nginx, memory.get("nginx_worker", [[]] * len(nginx)))]
        total = benchlib.figure(nginx_total)
        total["baseline"] = None
        figures["nginx, master + workers"] = total
        figures["ours: Caddy"]["ratio"] = benchlib.ratio(figures["ours: Caddy"]["median"], total["median"])
        figures["ours: Caddy"]["baseline"] = "nginx, master + workers"
    return figures


def serving_setup(knobs, workers):
    return (
        "Load from the client container (wrk %s for HTTP/1.1, %s threads; h2load for HTTP/2 over TLS with %d streams per "
        "connection), %d s per run, %d runs per cell interleaved across stacks, median shown with each run's req/s. "
        "Every stack serves the release `site.yml` deployed, with %s workers where Gunicorn, `uvicorn --workers` or Granian runs. "
        "`/orders` is loaded with POSTs of a %d-line JSON order (`benchlib.orders_body`, %d bytes; answer about 7 kB before compression). "
        "`Accept-Encoding: %s` is sent, as browsers do. CPU columns: CPUs busy on average in the target's and the client's "
        "containers during the run (1.00 = one core)."
        % ("--latency", knobs["wrk_threads"], knobs["h2_streams"], knobs["duration"], knobs["runs"], workers,
           benchlib.ORDER_LINES, len(benchlib.orders_body()), knobs["accept_encoding"] or "(none)"))


def cluster_setup(knobs, site_runs):
    return (
        "An edge (`%s`) in front of app hosts (`%s`, `%s`, ...), each a fresh container of the target image, all on CPUs %s "
        "(BENCH_CLUSTER_CPUS), in the groups `fastapi_edge` and `fastapi_app_hosts` (docs/multi-host.md). `site.yml` set up "
        "the first layout and then added the app hosts of the next (%s). The client resolves the app's domain to the edge: "
        "HTTPS to the edge's Caddy, which balances over each app host's private listener. Layouts are measured one after the "
        "other, %d runs of %d s per cell; `Accept-Encoding: %s`. CPU columns: CPUs busy on average in the edge's and each app "
        "host's container during the run (1.00 = one core); when the containers share fewer cores than there are of them, "
        "more app hosts cannot give more req/s, and the figure shows what the edge and the balancing cost."
        % (EDGE, APP_HOST % 1, APP_HOST % 2, knobs["cluster_cpus"] or "any", "; ".join(site_runs), knobs["runs"], knobs["duration"],
           knobs["accept_encoding"] or "(none)"))


def variant_description(path, playbook="site.yml"):
    lines = []
    with open(path) as handle:
        for line in handle:
            if line.startswith("#"):
                lines.append(line.lstrip("#").strip())
            elif line.strip() and not line.startswith("---"):
                break
    return " ".join(lines) + " (`%s -e @%s`)" % (playbook, os.path.relpath(path, REPO))


def write_docs(results, block="results"):
    """docs/benchmarks.md: its text around the block ``block``, with the results of this run in it."""
    path = os.path.join(REPO, "docs", "benchmarks.md")
    start, end = "<!-- bench:%s -->" % block, "<!-- /bench:%s -->" % block
    with open(path) as handle:
        text = handle.read()
    if start not in text or end not in text:
        raise RuntimeError("%s has no %s ... %s block" % (path, start, end))
    head, rest = text.split(start, 1)
    tail = rest.split(end, 1)[1]
    body = benchlib.markdown(results).replace("\n## ", "\n### ")
    with open(path, "w") as handle:
        handle.write(head + start + "\n\n" + body + "\n" + end + tail)
    log("wrote %s" % path)


def main(argv):
    env = dict(os.environ)
    try:
        knobs = benchlib.parse_knobs(env)
    except benchlib.KnobError as error:
        log(str(error))
        return 2
    bench = Bench(knobs, env)
    if argv[:1] == ["down"]:
        bench.down()
        return 0
    if argv[:1] == ["report"]:
        with open(argv[1] if len(argv) > 1 else os.path.join(bench.out, "latest.json")) as handle:
            write_docs(json.load(handle), argv[2] if len(argv) > 2 else "results")
        return 0
    try:
        bench.main()
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        log("FAILED: %s" % error)
        log("the sandbox is left running for a look (docker exec -it %s bash); remove it with bench/run.sh down" % TARGET)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
