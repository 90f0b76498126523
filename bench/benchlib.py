"""What `make bench` computes: load-tool parsing, medians and ratios, the
Ansible configurations compared, and the JSON and Markdown it writes.

bench.py does the running (containers, ansible-playbook, wrk, h2load); every
number it reports goes through the functions here, which have unit tests in
tests/unit/bench/.
"""

from __future__ import annotations

import configparser
import io
import json
import math
import re
import shlex

# --- knobs -----------------------------------------------------------------

# `deploys` alone: the code-only deploys (default and BENCH_DEPLOY_VARIANTS),
# which `provisioning` includes. `cluster`: requests/s through an edge in
# front of one, then more app hosts (docs/multi-host.md).
PARTS = ("provisioning", "serving", "deploys", "cluster")

DEFAULTS = {
    "BENCH_PARTS": "provisioning,serving,cluster",
    "BENCH_RUNS": "3",
    "BENCH_COLD_RUNS": "2",
    "BENCH_DURATION": "4",
    "BENCH_CONCURRENCY": "16,64,256",
    "BENCH_ENDPOINTS": "/,/items/42?q=x,/orders",
    "BENCH_STACKS": "ours,gunicorn,uvicorn,uvicorn-workers,granian,nginx",
    "BENCH_PROTOCOLS": "h1,h2",
    "BENCH_H2_STREAMS": "8",
    "BENCH_WRK_THREADS": "1",
    "BENCH_ACCEPT_ENCODING": "gzip",
    "BENCH_ANSIBLE_CONFIGS": "defaults,recommended",
    "BENCH_VARIANTS": "",
    "BENCH_DEPLOY_VARIANTS": "",
    "BENCH_PROFILE": "1",
    "BENCH_TARGET_CPUS": "1",
    "BENCH_CLIENT_CPUS": "0",
    "BENCH_KEEP": "0",
    "BENCH_DOCS": "auto",
    "BENCH_OUT": "bench-results",
    "BENCH_CLUSTER_APP_HOSTS": "1,3",
    "BENCH_CLUSTER_ENDPOINTS": "/,/orders",
    "BENCH_CLUSTER_CONCURRENCY": "64",
    "BENCH_CLUSTER_CPUS": "1",
}

STACKS = ("ours", "gunicorn", "uvicorn", "uvicorn-workers", "granian", "nginx")
PROTOCOLS = ("h1", "h2")
# Stacks that speak HTTP/2 (over TLS): the plain app servers serve HTTP/1.1 on
# TCP without TLS.
H2_STACKS = ("ours", "nginx")
# The app servers serving the live release on TCP, each with the live slot's
# worker count (but `uvicorn`, one process): what the app server itself costs.
APP_SERVERS = ("gunicorn", "uvicorn-workers", "granian", "uvicorn")
# Endpoints loaded with a POST of a JSON body (orders_body) instead of a GET.
POST_ENDPOINTS = ("/orders",)
ORDER_LINES = 40
ANSIBLE_CONFIGS = ("defaults", "recommended")
# The largest layout the cluster part builds (one container per app host).
MAX_CLUSTER_APP_HOSTS = 8


class KnobError(ValueError):
    """A BENCH_* environment variable has a value the bench cannot use."""


def _list(value):
    return [item.strip() for item in value.split(",") if item.strip()]


def _positive_int(name, value, minimum=1):
    try:
        number = int(value)
    except ValueError:
        raise KnobError("%s must be a whole number, got %r" % (name, value)) from None
    if number < minimum:
        raise KnobError("%s must be at least %d, got %d" % (name, minimum, number))
    return number


def _choices(name, values, allowed):
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise KnobError("%s: unknown %s (known: %s)" % (name, ", ".join(unknown), ", ".join(allowed)))
    return values


def parse_knobs(env):
    """The bench's settings from ``env`` (os.environ), defaults filled in, checked."""
    raw = {key: (env.get(key) if env.get(key) not in (None, "") else default) for key, default in DEFAULTS.items()}
    runs = _positive_int("BENCH_RUNS", raw["BENCH_RUNS"])
    knobs = {
        "parts": _choices("BENCH_PARTS", _list(raw["BENCH_PARTS"]), PARTS),
        "runs": runs,
        "cold_runs": _positive_int("BENCH_COLD_RUNS", raw["BENCH_COLD_RUNS"]),
        "duration": _positive_int("BENCH_DURATION", raw["BENCH_DURATION"]),
        "concurrency": [_positive_int("BENCH_CONCURRENCY", c) for c in _list(raw["BENCH_CONCURRENCY"])],
        "endpoints": _list(raw["BENCH_ENDPOINTS"]),
        "stacks": _choices("BENCH_STACKS", _list(raw["BENCH_STACKS"]), STACKS),
        "protocols": _choices("BENCH_PROTOCOLS", _list(raw["BENCH_PROTOCOLS"]), PROTOCOLS),
        "h2_streams": _positive_int("BENCH_H2_STREAMS", raw["BENCH_H2_STREAMS"]),
        "wrk_threads": _positive_int("BENCH_WRK_THREADS", raw["BENCH_WRK_THREADS"]),
        "accept_encoding": raw["BENCH_ACCEPT_ENCODING"] if env.get("BENCH_ACCEPT_ENCODING") != "none" else "",
        "ansible_configs": _choices("BENCH_ANSIBLE_CONFIGS", _list(raw["BENCH_ANSIBLE_CONFIGS"]), ANSIBLE_CONFIGS),
        "variants": _list(raw["BENCH_VARIANTS"]),
        "deploy_variants": _list(raw["BENCH_DEPLOY_VARIANTS"]),
        "target_cpus": "" if raw["BENCH_TARGET_CPUS"] == "any" else raw["BENCH_TARGET_CPUS"],
        "client_cpus": "" if raw["BENCH_CLIENT_CPUS"] == "any" else raw["BENCH_CLIENT_CPUS"],
        "profile": raw["BENCH_PROFILE"] == "1",
        "keep": raw["BENCH_KEEP"] == "1",
        "docs": raw["BENCH_DOCS"],
        "out": raw["BENCH_OUT"],
        "cluster_app_hosts": [_positive_int("BENCH_CLUSTER_APP_HOSTS", c) for c in _list(raw["BENCH_CLUSTER_APP_HOSTS"])],
        "cluster_endpoints": _list(raw["BENCH_CLUSTER_ENDPOINTS"]),
        "cluster_concurrency": [_positive_int("BENCH_CLUSTER_CONCURRENCY", c) for c in _list(raw["BENCH_CLUSTER_CONCURRENCY"])],
        "cluster_cpus": "" if raw["BENCH_CLUSTER_CPUS"] == "any" else raw["BENCH_CLUSTER_CPUS"],
    }
    if not knobs["parts"]:
        raise KnobError("BENCH_PARTS names no part (known: %s)" % ", ".join(PARTS))
    if raw["BENCH_PROFILE"] not in ("0", "1"):
        raise KnobError("BENCH_PROFILE must be 0 or 1, got %r" % raw["BENCH_PROFILE"])
    if knobs["docs"] not in ("auto", "0", "1"):
        raise KnobError("BENCH_DOCS must be auto, 0 or 1, got %r" % knobs["docs"])
    for name, endpoints in (("BENCH_ENDPOINTS", knobs["endpoints"]), ("BENCH_CLUSTER_ENDPOINTS", knobs["cluster_endpoints"])):
        for endpoint in endpoints:
            if not endpoint.startswith("/"):
                raise KnobError("%s: %r does not start with /" % (name, endpoint))
    counts = knobs["cluster_app_hosts"]
    # The part only adds app hosts (scaling out), never removes one.
    if not counts or counts != sorted(set(counts)) or counts[-1] > MAX_CLUSTER_APP_HOSTS:
        raise KnobError("BENCH_CLUSTER_APP_HOSTS must be app host counts in increasing order, at most %d, got %r"
                        % (MAX_CLUSTER_APP_HOSTS, raw["BENCH_CLUSTER_APP_HOSTS"]))
    return knobs


def is_default_run(env):
    """True when every knob that changes what is measured, or how long, is at its default."""
    measuring = [key for key in DEFAULTS if key not in ("BENCH_KEEP", "BENCH_DOCS", "BENCH_OUT", "BENCH_VARIANTS", "BENCH_DEPLOY_VARIANTS")]
    return all(env.get(key) in (None, "", DEFAULTS[key]) for key in measuring)


# --- inventories -------------------------------------------------------------

EDGE_GROUP = "fastapi_edge"
APP_GROUP = "fastapi_app_hosts"


def inventory(hosts, common, group_vars, edges=(), app_hosts=()):
    """An Ansible inventory (a dict, written as JSON) of ``hosts`` (name to address).

    ``common`` are the host variables every host gets (login user, key, SSH
    options), ``group_vars`` the variables of ``all``. With ``edges`` and
    ``app_hosts`` the hosts go into the multi-host layout's groups
    (docs/multi-host.md), each with its address as ``fastapi_private_address``;
    without them they are single servers.
    """
    def host_vars(name, private):
        values = {"ansible_host": hosts[name]}
        values.update(common)
        if private:
            values["fastapi_private_address"] = hosts[name]
        return values

    unknown = [name for name in list(edges) + list(app_hosts) if name not in hosts]
    if unknown:
        raise ValueError("no address for %s" % ", ".join(unknown))
    if bool(edges) != bool(app_hosts):
        raise ValueError("a multi-host layout needs both edges and app hosts")
    if not edges:
        return {"all": {"hosts": {name: host_vars(name, False) for name in hosts}, "vars": group_vars}}
    return {"all": {"vars": group_vars, "children": {
        EDGE_GROUP: {"hosts": {name: host_vars(name, True) for name in edges}},
        APP_GROUP: {"hosts": {name: host_vars(name, True) for name in app_hosts}},
    }}}


# --- requests ----------------------------------------------------------------


def orders_body(lines=ORDER_LINES):
    """The JSON body (text) the bench POSTs to examples/hello's /orders: an order of ``lines`` lines.

    Deterministic, so every stack and run validates and prices the same
    order; every SKU is in the app's catalogue (SKU-00001 to SKU-05000).
    """
    order = {
        "customer_id": 4711,
        "currency": "EUR",
        "coupon": "WELCOME10",
        "shipping": {"name": "Ada Lovelace", "street": "12 St James's Square", "city": "London",
                     "postcode": "SW1Y 4JH", "country": "GB"},
        "lines": [{"sku": "SKU-%05d" % (1 + (number * 977) % 5000), "quantity": 1 + number % 5,
                   "gift_wrap": number % 7 == 0, "note": "line %d" % number if number % 4 == 0 else None}
                  for number in range(lines)],
    }
    return json.dumps(order, separators=(",", ":"))


def wrk_post_script(body):
    """A wrk Lua script that sends every request as a POST of ``body`` (JSON)."""
    level = 0
    while ("]" + "=" * level + "]") in body:
        level += 1
    return ('-- Written by bench/bench.py: POST a JSON body.\n'
            'wrk.method = "POST"\n'
            'wrk.headers["Content-Type"] = "application/json"\n'
            'wrk.body = [%s[%s]%s]\n' % ("=" * level, body, "=" * level))


def load_command(protocol, url, endpoint, concurrency, duration, accept_encoding, wrk_threads=1, h2_streams=8,
                 body_file="/tmp/bench-orders.json", script_file="/tmp/bench-post.lua", h2_log="/tmp/h2load.log"):
    """The shell command the client runs for one load run: wrk (HTTP/1.1) or h2load (HTTP/2).

    A POST endpoint (is_post) sends ``body_file`` as JSON: wrk through the
    Lua script ``script_file`` (wrk_post_script), h2load with ``-d``.
    """
    post = is_post(endpoint)
    if protocol == "h1":
        return "wrk --latency -t %d -c %d -d %ds --timeout 10s %s%s%s" % (
            min(wrk_threads, concurrency), concurrency, duration,
            ("-H " + shlex.quote("Accept-Encoding: " + accept_encoding) + " ") if accept_encoding else "",
            ("-s " + shlex.quote(script_file) + " ") if post else "", shlex.quote(url))
    connections, streams = h2_shape(concurrency, h2_streams)
    return "rm -f %s; h2load -t 1 -c %d -m %d -D %d %s%s--log-file=%s %s" % (
        shlex.quote(h2_log), connections, streams, duration,
        ("-H " + shlex.quote("accept-encoding: " + accept_encoding) + " ") if accept_encoding else "",
        ("-d %s -H %s " % (shlex.quote(body_file), shlex.quote("content-type: application/json"))) if post else "",
        shlex.quote(h2_log), shlex.quote(url))


def is_post(endpoint):
    """True when the bench loads ``endpoint`` with POSTs of orders_body (its path without the query)."""
    return endpoint.split("?", 1)[0] in POST_ENDPOINTS


# --- statistics ------------------------------------------------------------


def median(values):
    """The median of a non-empty list of numbers (mean of the two middle ones when even)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("median of no values")
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values, fraction):
    """Nearest-rank percentile (``fraction`` 0.5 for p50, 0.99 for p99) of a non-empty list."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    if not 0 < fraction <= 1:
        raise ValueError("fraction must be in (0, 1], got %r" % fraction)
    rank = max(1, int(math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def ratio(value, baseline):
    """value / baseline, rounded to 3 places; None when either is missing or the baseline is 0."""
    if value is None or baseline in (None, 0):
        return None
    return round(value / baseline, 3)


# --- load tools ------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def duration_ms(text):
    """wrk's '812.00us', '1.23ms', '2.01s' or '1.5m' in milliseconds."""
    match = re.fullmatch(r"\s*([0-9.]+)\s*(us|ms|s|m)\s*", text)
    if not match:
        raise ValueError("not a wrk duration: %r" % text)
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(text):
    """Requests/s, p50/p99 latency (ms), request and error counts from `wrk --latency` output."""
    result = {"rps": None, "p50_ms": None, "p99_ms": None, "requests": None, "errors": 0}
    match = re.search(r"^Requests/sec:\s*([0-9.]+)", text, re.M)
    if match:
        result["rps"] = float(match.group(1))
    for name, key in (("50", "p50_ms"), ("99", "p99_ms")):
        match = re.search(r"^\s*%s(?:\.0+)?%%\s+([0-9.]+(?:us|ms|s|m))\s*$" % name, text, re.M)
        if match:
            result[key] = duration_ms(match.group(1))
    match = re.search(r"^\s*([0-9]+) requests in", text, re.M)
    if match:
        result["requests"] = int(match.group(1))
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if match:
        result["errors"] += sum(int(group) for group in match.groups())
    match = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
    if match:
        result["errors"] += int(match.group(1))
    if result["rps"] is None or result["p99_ms"] is None:
        raise ValueError("no figures in wrk's output:\n%s" % text)
    return result


def parse_h2load(text, durations_us=None):
    """Requests/s, protocol, counts and (from the per-request log) p50/p99 of an h2load run.

    ``durations_us`` are the per-request durations of h2load's ``--log-file``
    (third column, microseconds): h2load itself prints no percentiles.
    """
    result = {"rps": None, "p50_ms": None, "p99_ms": None, "requests": None, "errors": 0, "protocol": None}
    match = re.search(r"finished in [0-9.]+\w*, ([0-9.]+) req/s", text)
    if match:
        result["rps"] = float(match.group(1))
    match = re.search(r"Application protocol: (\S+)", text)
    if match:
        result["protocol"] = match.group(1)
    match = re.search(r"requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout", text)
    if match:
        result["requests"] = int(match.group(1))
        result["errors"] = int(match.group(2)) + int(match.group(3)) + int(match.group(4))
    match = re.search(r"status codes: \d+ 2xx, \d+ 3xx, (\d+) 4xx, (\d+) 5xx", text)
    if match:
        result["errors"] += int(match.group(1)) + int(match.group(2))
    if durations_us:
        result["p50_ms"] = percentile(durations_us, 0.50) / 1000.0
        result["p99_ms"] = percentile(durations_us, 0.99) / 1000.0
    if result["rps"] is None:
        raise ValueError("no figures in h2load's output:\n%s" % text)
    return result


def h2load_durations(log_text):
    """The per-request durations (microseconds) of an h2load --log-file, 2xx and 3xx answers only."""
    durations = []
    for line in log_text.splitlines():
        fields = line.split("\t")
        if len(fields) >= 3 and fields[1].isdigit() and 200 <= int(fields[1]) < 400:
            durations.append(int(fields[2]))
    return durations


def h2_shape(concurrency, streams):
    """(connections, streams per connection) for ``concurrency`` concurrent HTTP/2 requests."""
    streams = max(1, min(streams, concurrency))
    return max(1, concurrency // streams), streams


def parse_pprof_top(text):
    """{total, duration, entries} from `go tool pprof -top` (entries: flat, flat_pct, sum_pct, cum, cum_pct, name)."""
    result = {"total": None, "duration": None, "entries": []}
    match = re.search(r"^Duration: (\S+), Total samples = (\S+)", text, re.M)
    if match:
        result["duration"], result["total"] = match.group(1).rstrip(","), match.group(2)
    if result["total"] is None:
        match = re.search(r"of (\S+) total", text)
        if match:
            result["total"] = match.group(1)
    value = r"([0-9.]+[a-zµ]*)"
    pattern = re.compile(r"^\s*%s\s+([0-9.]+)%%\s+([0-9.]+)%%\s+%s\s+([0-9.]+)%%\s+(\S.*?)\s*$" % (value, value))
    for line in text.splitlines():
        match = pattern.match(line)
        if match:
            result["entries"].append({"flat": match.group(1), "flat_pct": float(match.group(2)), "sum_pct": float(match.group(3)),
                                      "cum": match.group(4), "cum_pct": float(match.group(5)), "name": match.group(6)})
    return result


# Where Caddy's CPU goes: each function of a profile falls in the first area
# whose pattern matches its name (flat time, so nothing is counted twice).
PPROF_AREAS = (
    ("system calls (socket reads and writes, epoll)", r"^(internal/runtime/syscall|runtime/internal/syscall|syscall)\."),
    ("TLS and its crypto", r"^(crypto/|vendor/golang\.org/x/crypto|golang\.org/x/crypto)"),
    ("compression (gzip, zstd)", r"klauspost/compress|^compress/|^hash/crc32"),
    ("access log (zap)", r"^go\.uber\.org/zap"),
    ("metrics (Prometheus)", r"prometheus"),
    ("Go runtime (allocation, garbage collector, scheduler, maps)", r"^(runtime|internal/runtime)[./]|^aeshashbody$|^memeqbody$|^gcWriteBarrier"),
    ("HTTP/1.1 and HTTP/2 (net/http, x/net/http2)", r"^net/http|^net/textproto|golang\.org/x/net/http2|^vendor/golang\.org/x/net/http"),
    ("Caddy's handlers (routes, reverse proxy, headers, encode)", r"caddyserver/caddy"),
)


# Functions whose cumulative time tells a known cost apart (GC's background
# marking, allocation, the scheduler looking for work, TLS records, the proxy).
PPROF_KEY_FUNCTIONS = (
    "runtime.gcBgMarkWorker", "runtime.mallocgc", "runtime.findRunnable", "runtime.netpoll",
    "crypto/tls.(*Conn).Write", "crypto/tls.(*Conn).Read",
    "github.com/caddyserver/caddy/v2/modules/caddyhttp/reverseproxy.(*Handler).ServeHTTP",
    "github.com/caddyserver/caddy/v2/modules/caddyhttp/encode.(*responseWriter).Close",
    "github.com/caddyserver/caddy/v2/modules/caddyhttp.(*Server).logRequest",
)


def pprof_key_functions(entries, names=PPROF_KEY_FUNCTIONS):
    """[(name, cum, cum %)] of the functions ``names`` found in a profile's entries, in that order."""
    by_name = {entry["name"].replace(" (inline)", ""): entry for entry in entries}
    return [(name, by_name[name]["cum"], by_name[name]["cum_pct"]) for name in names if name in by_name]


def pprof_seconds(text):
    """pprof's '1.04s', '940ms', '120us' or '0' in seconds."""
    match = re.fullmatch(r"([0-9.]+)(s|ms|us|µs|ns|min|h)?", text.strip())
    if not match:
        raise ValueError("not a pprof duration: %r" % text)
    return float(match.group(1)) * {None: 1.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9, "min": 60.0, "h": 3600.0}[match.group(2)]


def pprof_areas(entries, areas=PPROF_AREAS):
    """[(area, flat seconds, % of the profile's flat total)] from every entry of a profile (`-top` with all nodes)."""
    totals = {name: 0.0 for name, _pattern in areas}
    totals["other"] = 0.0
    for entry in entries:
        seconds = pprof_seconds(entry["flat"])
        area = next((name for name, pattern in areas if re.search(pattern, entry["name"])), "other")
        totals[area] += seconds
    everything = sum(totals.values())
    return [(name, round(seconds, 3), round(100.0 * seconds / everything, 1) if everything else 0.0)
            for name, seconds in sorted(totals.items(), key=lambda item: -item[1]) if seconds]


# --- CPU and memory ----------------------------------------------------------


def cores_used(cpu_ns_before, cpu_ns_after, seconds):
    """Average CPUs busy (1.0 = one core) from a cgroup's cpuacct.usage (ns) over ``seconds``."""
    if cpu_ns_before is None or cpu_ns_after is None or seconds <= 0:
        return None
    return round((cpu_ns_after - cpu_ns_before) / 1e9 / seconds, 3)


def cpu_ms_per_request(cores, rps):
    """CPU milliseconds the server side spent per request: cores busy / requests per second."""
    if cores is None or not rps:
        return None
    return round(cores * 1000.0 / rps, 3)


def rss_kb(status_text):
    """VmRSS (kB) from a /proc/PID/status text, or None for a kernel thread or gone process."""
    match = re.search(r"^VmRSS:\s+(\d+) kB", status_text, re.M)
    return int(match.group(1)) if match else None


def parse_memory_probe(text):
    """{role: [rss_mb, ...]} from the target's memory probe (lines 'ROLE PID RSS_KB')."""
    memory = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[2].isdigit():
            memory.setdefault(fields[0], []).append(round(int(fields[2]) / 1024.0, 1))
    return memory


# --- Ansible configurations ------------------------------------------------

# The speed settings the example project recommends, as the bench reads them
# from examples/site/ansible.cfg; paths are moved into the bench's state.
SPEED_SETTINGS = {
    "defaults": ("forks", "gathering", "fact_caching", "fact_caching_connection", "fact_caching_timeout", "interpreter_python"),
    "ssh_connection": ("pipelining", "ssh_args"),
}


def ansible_cfg(name, example_text, collections_path, state_dir):
    """The text of the ansible.cfg the bench runs with, for configuration ``name``.

    ``defaults``: Ansible's own defaults (nothing set but where the collection
    is and where SSH keeps its connection sockets). ``recommended``: the speed
    settings of the example project's ansible.cfg, with the fact cache moved
    into the bench's state directory.
    """
    if name not in ANSIBLE_CONFIGS:
        raise ValueError("unknown Ansible configuration %r" % name)
    sections = {"defaults": {"collections_path": collections_path, "retry_files_enabled": "false"},
                "ssh_connection": {"control_path_dir": "%s/cp-%s" % (state_dir, name)}}
    if name == "recommended":
        example = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=("#", ";"))
        example.read_string(example_text)
        for section, keys in SPEED_SETTINGS.items():
            for key in keys:
                if example.has_option(section, key):
                    sections[section][key] = example.get(section, key)
        if "fact_caching_connection" in sections["defaults"]:
            sections["defaults"]["fact_caching_connection"] = "%s/facts-%s" % (state_dir, name)
    out = io.StringIO()
    out.write("# Written by bench/bench.py: Ansible configuration %r.\n" % name)
    for section, values in sections.items():
        out.write("[%s]\n" % section)
        for key, value in values.items():
            out.write("%s = %s\n" % (key, value))
    return out.getvalue()


# --- figures -----------------------------------------------------------------


def figure(runs, baseline=None, key=None):
    """A figure: its runs, their median and the ratio of the median to ``baseline``'s median.

    ``runs`` is a list of numbers, or of mappings from which ``key`` is taken;
    ``baseline`` is another figure (or None).
    """
    values = [run[key] if key else run for run in runs]
    values = [value for value in values if value is not None]
    result = {"runs": values, "median": round(median(values), 3) if values else None}
    result["ratio"] = ratio(result["median"], baseline["median"]) if baseline else None
    return result


def serving_rows(cells, stacks):
    """One row per serving cell, with medians and the ratios our targets are about.

    ``cells`` maps (stack, protocol, endpoint, concurrency) to a list of runs
    (dicts with rps, p50_ms, p99_ms, errors, server_cores, client_cores).
    Ratios: requests/s against the ceiling (plain Gunicorn, HTTP/1.1, same
    endpoint and concurrency) and against nginx (same protocol, endpoint and
    concurrency).
    """
    medians = {}
    for key, runs in cells.items():
        medians[key] = {field: figure(runs, key=field) for field in ("rps", "p50_ms", "p99_ms", "server_cores", "client_cores")}
        medians[key]["errors"] = sum(run.get("errors") or 0 for run in runs)
        medians[key]["cpu_ms_per_request"] = cpu_ms_per_request(medians[key]["server_cores"]["median"], medians[key]["rps"]["median"])
    rows = []
    order = {stack: index for index, stack in enumerate(stacks)}
    for key in sorted(medians, key=lambda k: (k[1], k[2], k[3], order.get(k[0], 99), k[0])):
        stack, protocol, endpoint, concurrency = key
        row = {"stack": stack, "protocol": protocol, "endpoint": endpoint, "concurrency": concurrency}
        row.update(medians[key])
        ceiling = medians.get(("gunicorn", "h1", endpoint, concurrency))
        nginx = medians.get(("nginx", protocol, endpoint, concurrency))
        row["rps_vs_ceiling"] = ratio(row["rps"]["median"], ceiling["rps"]["median"]) if ceiling else None
        row["rps_vs_nginx"] = ratio(row["rps"]["median"], nginx["rps"]["median"]) if nginx else None
        row["p99_vs_nginx"] = ratio(row["p99_ms"]["median"], nginx["p99_ms"]["median"]) if nginx else None
        rows.append(row)
    return rows


def compare_with_default(row, default):
    """Adds to a variant's serving row the default's req/s and CPU per request, and the ratios to them."""
    row["rps_default"] = default["rps"]["median"] if default else None
    row["cpu_ms_per_request_default"] = default.get("cpu_ms_per_request") if default else None
    row["rps_vs_default"] = ratio(row["rps"]["median"], row["rps_default"])
    row["cpu_vs_default"] = ratio(row.get("cpu_ms_per_request"), row["cpu_ms_per_request_default"])
    return row


def cluster_rows(cells):
    """One row per cell of the cluster part: requests/s through the edge with each count of app hosts.

    ``cells`` maps (app host count, protocol, endpoint, concurrency) to a
    list of runs (dicts with rps, p50_ms, p99_ms, errors, edge_cores,
    client_cores and app_cores: CPUs busy per app host, in host order).
    Each row has the medians, the ratio of its req/s to the same cell with
    the fewest app hosts, and ``idle_hosts``: the app hosts (1-based) that
    did no work in the median run (under 0.02 CPUs), so served nothing.
    """
    fewest = min(key[0] for key in cells) if cells else None
    rows = []
    for key in sorted(cells, key=lambda k: (k[1], k[2], k[3], k[0])):
        count, protocol, endpoint, concurrency = key
        runs = cells[key]
        row = {"app_hosts": count, "protocol": protocol, "endpoint": endpoint, "concurrency": concurrency}
        row.update({field: figure(runs, key=field) for field in ("rps", "p50_ms", "p99_ms", "edge_cores", "client_cores")})
        row["errors"] = sum(run.get("errors") or 0 for run in runs)
        per_host = [[(run.get("app_cores") or [])[index] for run in runs if len(run.get("app_cores") or []) > index]
                    for index in range(count)]
        row["app_cores"] = [round(median(values), 3) if values else None for values in per_host]
        row["idle_hosts"] = [index + 1 for index, cores in enumerate(row["app_cores"]) if cores is None or cores < 0.02]
        base = cells.get((fewest, protocol, endpoint, concurrency))
        row["rps_vs_fewest"] = ratio(row["rps"]["median"], figure(base, key="rps")["median"]) if base and count != fewest else None
        rows.append(row)
    return rows


def cluster_table(rows):
    lines = [
        "| app hosts | proto | endpoint | conc. | req/s (median) | runs | p50 ms | p99 ms | vs fewest app hosts "
        "| edge CPUs | CPUs of each app host | errors |",
        "| ---: | --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for row in rows:
        lines.append("| %d | %s | `%s` | %d | %s | %s | %s | %s | %s | %s | %s%s | %d |" % (
            row["app_hosts"], _protocol(row["protocol"]), row["endpoint"], row["concurrency"],
            _num(row["rps"]["median"]), _runs(row["rps"]["runs"]), _num(row["p50_ms"]["median"], 2), _num(row["p99_ms"]["median"], 2),
            _x(row["rps_vs_fewest"]), _num(row["edge_cores"]["median"], 2), " / ".join(_num(c, 2) for c in row["app_cores"]),
            " (idle: %s)" % ", ".join("app%d" % n for n in row["idle_hosts"]) if row["idle_hosts"] else "", row["errors"]))
    return "\n".join(lines)


# --- Markdown ----------------------------------------------------------------

STACK_NAMES = {
    "ours": "ours: Caddy HTTPS -> socket -> Gunicorn",
    "gunicorn": "plain Gunicorn + Uvicorn workers, TCP, no TLS (ceiling)",
    "uvicorn": "one Uvicorn process, TCP, no TLS",
    "uvicorn-workers": "`uvicorn --workers N`, TCP, no TLS",
    "granian": "`granian --workers N`, TCP, no TLS",
    "nginx": "nginx HTTPS -> same socket -> same Gunicorn",
}


def app_server_rows(rows, servers=APP_SERVERS, baseline="gunicorn"):
    """The app servers side by side on HTTP/1.1: req/s per busy core and p99, each as a ratio to ``baseline``'s.

    ``rows`` are serving_rows; one row per (endpoint, concurrency, server) found.
    """
    by_key = {(row["stack"], row["endpoint"], row["concurrency"]): row for row in rows if row["protocol"] == "h1"}
    result = []
    for row in rows:
        if row["protocol"] != "h1" or row["stack"] != baseline:
            continue
        base = row
        base_per_core = rps_per_core(base)
        for server in servers:
            other = by_key.get((server, row["endpoint"], row["concurrency"]))
            if not other:
                continue
            per_core = rps_per_core(other)
            result.append({
                "stack": server, "endpoint": row["endpoint"], "concurrency": row["concurrency"],
                "rps": other["rps"]["median"], "p99_ms": other["p99_ms"]["median"],
                "cpu_ms_per_request": other.get("cpu_ms_per_request"), "rps_per_core": per_core,
                "rps_per_core_vs_baseline": ratio(per_core, base_per_core),
                "p99_vs_baseline": ratio(other["p99_ms"]["median"], base["p99_ms"]["median"]),
            })
    return result


def rps_per_core(row):
    """Requests per second per busy server core (req/s / server CPUs busy, medians of a serving row), or None."""
    rps = (row.get("rps") or {}).get("median")
    cores = (row.get("server_cores") or {}).get("median")
    return round(rps / cores, 1) if rps and cores else None


def app_server_table(rows, baseline="gunicorn"):
    lines = [
        "| app server | endpoint | conc. | req/s | p99 ms | server CPU ms per request | req/s per core | vs %s (req/s per core, p99) |" % baseline,
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append("| %s | `%s` | %d | %s | %s | %s | %s | %s, %s |" % (
            STACK_NAMES.get(row["stack"], row["stack"]), row["endpoint"], row["concurrency"], _num(row["rps"]), _num(row["p99_ms"], 2),
            _num(row["cpu_ms_per_request"], 3), _num(row["rps_per_core"]), _x(row["rps_per_core_vs_baseline"]), _x(row["p99_vs_baseline"])))
    return "\n".join(lines)


def profile_section(profile):
    """Markdown for one CPU profile of Caddy: the cell, its figures, the top entries flat and cumulative."""
    out = ["#### Caddy, %s `%s`, %d concurrent, %d s" % (
        _protocol(profile["protocol"]), profile["endpoint"], profile["concurrency"], profile["seconds"])]
    out.append("")
    figures = profile.get("figures") or {}
    out.append("During the profile (an extra run of the cell, not counted above): %s req/s, p99 %s ms, server CPUs %s. "
               "Samples: %s. Profile: `%s`." % (_num(figures.get("rps")), _num(figures.get("p99_ms"), 2),
                                                _num(figures.get("server_cores"), 2), profile.get("total") or "-", profile.get("file", "-")))
    if profile.get("error"):
        out.append("")
        out.append(profile["error"])
        return "\n".join(out)
    if profile.get("areas"):
        out.append("")
        out.append("Where the CPU goes (own time of every function, by area):")
        out.append("")
        out.append("| area | CPU s | % |")
        out.append("| --- | ---: | ---: |")
        for name, seconds, percent in profile["areas"]:
            out.append("| %s | %.2f | %.1f |" % (name, seconds, percent))
    if profile.get("key_functions"):
        out.append("")
        out.append("Cumulative time of known costs: %s." % "; ".join(
            "`%s` %s (%.1f %%)" % (name, cum, percent) for name, cum, percent in profile["key_functions"]))
    for order, title in (("flat", "by own (flat) time"), ("cum", "by cumulative time")):
        out.append("")
        out.append("Top %d %s:" % (len(profile.get(order) or []), title))
        out.append("")
        out.append("| flat | flat % | cum | cum % | function |")
        out.append("| ---: | ---: | ---: | ---: | --- |")
        for entry in profile.get(order) or []:
            out.append("| %s | %.1f | %s | %.1f | `%s` |" % (entry["flat"], entry["flat_pct"], entry["cum"], entry["cum_pct"], entry["name"]))
    return "\n".join(out)


def _num(value, places=0):
    if value is None:
        return "-"
    if places == 0:
        return "{:,.0f}".format(value)
    return "{:,.{p}f}".format(value, p=places)


def _protocol(name):
    """A load's protocol as the tables name it."""
    return "HTTP/2" if name == "h2" else "HTTP/1.1"


def _x(value):
    return "-" if value is None else "%.2fx" % value


def _runs(values, places=0):
    return " / ".join(_num(value, places) for value in values) if values else "-"


def serving_table(rows):
    lines = [
        "| stack | proto | endpoint | conc. | req/s (median) | runs | p50 ms | p99 ms | vs ceiling | vs nginx (req/s, p99)"
        " | server / client CPUs | server CPU ms per request | errors |",
        "| --- | --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append("| %s | %s | `%s` | %d | %s | %s | %s | %s | %s | %s | %s / %s | %s | %d |" % (
            STACK_NAMES.get(row["stack"], row["stack"]), _protocol(row["protocol"]),
            row["endpoint"], row["concurrency"], _num(row["rps"]["median"]), _runs(row["rps"]["runs"]),
            _num(row["p50_ms"]["median"], 2), _num(row["p99_ms"]["median"], 2), _x(row["rps_vs_ceiling"]),
            "-" if row["rps_vs_nginx"] is None else "%s, %s" % (_x(row["rps_vs_nginx"]), _x(row["p99_vs_nginx"])),
            _num(row["server_cores"]["median"], 2), _num(row["client_cores"]["median"], 2),
            _num(row.get("cpu_ms_per_request"), 3), row["errors"]))
    return "\n".join(lines)


def variant_table(rows):
    """Before (the default settings, same run) and after (the variant) for each cell."""
    lines = [
        "| stack | proto | endpoint | conc. | req/s default -> variant | ratio | p99 ms | vs nginx (req/s, p99) "
        "| server CPU ms per request default -> variant | ratio |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append("| %s | %s | `%s` | %d | %s -> %s | %s | %s | %s | %s -> %s | %s |" % (
            row["stack"], _protocol(row["protocol"]), row["endpoint"], row["concurrency"],
            _num(row.get("rps_default")), _num(row["rps"]["median"]), _x(row.get("rps_vs_default")), _num(row["p99_ms"]["median"], 2),
            "-" if row.get("rps_vs_nginx") is None or row["stack"] == "nginx" else "%s, %s" % (_x(row["rps_vs_nginx"]), _x(row["p99_vs_nginx"])),
            _num(row.get("cpu_ms_per_request_default"), 3), _num(row.get("cpu_ms_per_request"), 3), _x(row.get("cpu_vs_default"))))
    return "\n".join(lines)


def figures_table(figures, unit, places=1):
    """A table of named figures: {label: {runs, median, ratio, baseline}}."""
    lines = ["| what | median (%s) | runs | ratio | baseline |" % unit, "| --- | ---: | --- | ---: | --- |"]
    for label, fig in figures.items():
        lines.append("| %s | %s | %s | %s | %s |" % (
            label, _num(fig["median"], places), _runs(fig["runs"], places), _x(fig.get("ratio")), fig.get("baseline") or "-"))
    return "\n".join(lines)


def markdown(results):
    """The Markdown report of one bench run (bench-results/*.md and the body of docs/benchmarks.md)."""
    out = []
    machine = results.get("machine", {})
    knobs = ", ".join("%s=%s" % item for item in sorted(results.get("env", {}).items()))
    out.append("Measured %s, in %s, %s." % (
        results.get("finished", "?"), _duration_text(results.get("seconds")),
        "with every knob at its default" if results.get("default_run") else "with " + (knobs or "no knob set")))
    out.append("")
    out.append("## Machine")
    out.append("")
    out.append("| what | value |")
    out.append("| --- | --- |")
    for key, value in machine.items():
        out.append("| %s | %s |" % (key, value))
    serving = results.get("serving")
    if serving:
        _section(out, "## Serving", serving.get("setup", ""), serving_table(serving["rows"]))
        servers = app_server_rows(serving["rows"])
        if servers:
            out.append("")
            out.append("### The app servers on TCP (HTTP/1.1)")
            out.append("")
            out.append("The same release served by each app server without a proxy; ratios to Gunicorn with Uvicorn workers "
                       "in the same cell. Req/s per core: requests per second per core the target kept busy.")
            out.append("")
            out.append(app_server_table(servers))
        if serving.get("memory"):
            out.append("")
            out.append("### Memory (RSS after the load)")
            out.append("")
            out.append(figures_table(serving["memory"], "MB"))
        if serving.get("profiles"):
            out.append("")
            out.append("### Caddy's CPU profile")
            out.append("")
            out.append("Go's pprof from Caddy's admin socket (`/debug/pprof/profile`) during an extra run of the cell, "
                       "read with `go tool pprof -top` (and `-cum`).")
            for profile in serving["profiles"]:
                out.append("")
                out.append(profile_section(profile))
        for variant in serving.get("variants", []):
            out.append("")
            out.append("### Variant `%s`" % variant["name"])
            out.append("")
            out.append(variant.get("description", ""))
            out.append("")
            out.append(variant_table(variant["rows"]))
    cluster = results.get("cluster")
    if cluster:
        _section(out, "## Through an edge: one and several app hosts", cluster.get("setup", ""), cluster_table(cluster["rows"]))
    provisioning = results.get("provisioning")
    if provisioning:
        _section(out, "## Provisioning", provisioning.get("setup", ""), figures_table(provisioning["figures"], "s"))
    if results.get("notes"):
        out.append("")
        out.append("## Notes")
        out.append("")
        out.extend("- %s" % note for note in results["notes"])
    return "\n".join(out).rstrip() + "\n"


def _section(out, title, setup, table):
    """A section of the report: its title, what was measured and how, and its table."""
    out.extend(["", title, "", setup, "", table])


def _duration_text(seconds):
    if seconds is None:
        return "?"
    seconds = int(round(seconds))
    return "%d min %02d s" % (seconds // 60, seconds % 60) if seconds >= 60 else "%d s" % seconds
