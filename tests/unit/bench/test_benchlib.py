"""What `make bench` computes (bench/benchlib.py): parsing of wrk and h2load,
medians, percentiles and ratios, the Ansible configurations it compares, and
the tables it writes."""

import configparser
import json
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "bench"))

import benchlib  # noqa: E402  (bench/ is not a package)

WRK = """Running 4s test @ https://app.example.test:443/
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    21.02ms    9.20ms 101.43ms   80.11%
    Req/Sec     3.05k   211.66     3.41k    70.00%
  Latency Distribution
     50%   19.65ms
     75%   24.80ms
     90%   30.27ms
     99%  812.00us
  12158 requests in 4.00s, 3.52MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   3039.12
Transfer/sec:    900.12KB
"""

H2LOAD = """TLS Protocol: TLSv1.3
Application protocol: h2
finished in 4.00s, 1212.50 req/s, 94.06KB/s
requests: 4850 total, 4866 started, 4850 done, 4848 succeeded, 2 failed, 0 errored, 1 timeout
status codes: 4848 2xx, 0 3xx, 0 4xx, 3 5xx
"""


def test_knobs_default_to_the_documented_run():
    knobs = benchlib.parse_knobs({})
    assert knobs["parts"] == ["provisioning", "serving", "cluster"]
    assert knobs["cluster_app_hosts"] == [1, 3] and knobs["cluster_endpoints"] == ["/", "/orders"]
    assert knobs["cluster_concurrency"] == [64] and knobs["cluster_cpus"] == "1"
    assert knobs["runs"] == 3 and knobs["cold_runs"] == 2
    assert knobs["concurrency"] == [16, 64, 256]
    assert knobs["endpoints"] == ["/", "/items/42?q=x", "/orders"]
    assert knobs["stacks"] == ["ours", "gunicorn", "uvicorn", "uvicorn-workers", "granian", "nginx"]
    assert knobs["profile"] is True
    assert knobs["target_cpus"] == "1" and knobs["client_cpus"] == "0"
    assert knobs["accept_encoding"] == "gzip"
    assert benchlib.is_default_run({})


def test_knobs_are_read_and_checked():
    knobs = benchlib.parse_knobs({"BENCH_PARTS": "serving", "BENCH_RUNS": "1", "BENCH_CONCURRENCY": "8, 32",
                                  "BENCH_TARGET_CPUS": "any", "BENCH_ACCEPT_ENCODING": "none", "BENCH_COLD_RUNS": "1"})
    assert knobs["parts"] == ["serving"] and knobs["runs"] == 1 and knobs["cold_runs"] == 1
    assert knobs["concurrency"] == [8, 32]
    assert knobs["target_cpus"] == "" and knobs["accept_encoding"] == ""
    assert not benchlib.is_default_run({"BENCH_RUNS": "1"})
    assert benchlib.is_default_run({"BENCH_KEEP": "1", "BENCH_DOCS": "0", "BENCH_RUNS": ""})


@pytest.mark.parametrize("env, message", [
    ({"BENCH_PARTS": "serving,speed"}, "unknown speed"),
    ({"BENCH_RUNS": "0"}, "at least 1"),
    ({"BENCH_DURATION": "ten"}, "whole number"),
    ({"BENCH_STACKS": "ours,apache"}, "unknown apache"),
    ({"BENCH_ENDPOINTS": "items"}, "does not start with /"),
    ({"BENCH_DOCS": "yes"}, "auto, 0 or 1"),
    ({"BENCH_PROFILE": "yes"}, "0 or 1"),
    ({"BENCH_PARTS": ","}, "names no part"),
    ({"BENCH_CLUSTER_APP_HOSTS": "3,1"}, "increasing order"),
    ({"BENCH_CLUSTER_APP_HOSTS": "1,1"}, "increasing order"),
    ({"BENCH_CLUSTER_APP_HOSTS": "1,9"}, "at most 8"),
    ({"BENCH_CLUSTER_APP_HOSTS": "0"}, "at least 1"),
    ({"BENCH_CLUSTER_ENDPOINTS": "orders"}, "BENCH_CLUSTER_ENDPOINTS: 'orders' does not start with /"),
])
def test_wrong_knobs_are_refused_with_the_reason(env, message):
    with pytest.raises(benchlib.KnobError, match=message):
        benchlib.parse_knobs(env)


def test_median_of_odd_and_even_counts():
    assert benchlib.median([3, 1, 2]) == 2
    assert benchlib.median([4, 1, 3, 2]) == 2.5
    assert benchlib.median([7.5]) == 7.5
    with pytest.raises(ValueError):
        benchlib.median([])


def test_nearest_rank_percentile():
    values = list(range(1, 101))
    assert benchlib.percentile(values, 0.5) == 50
    assert benchlib.percentile(values, 0.99) == 99
    assert benchlib.percentile([5, 1, 3], 0.99) == 5
    assert benchlib.percentile([5], 0.5) == 5
    with pytest.raises(ValueError):
        benchlib.percentile([1], 0)


def test_ratio_rounds_and_refuses_a_missing_baseline():
    assert benchlib.ratio(900, 1000) == 0.9
    assert benchlib.ratio(1, 3) == 0.333
    assert benchlib.ratio(1, 0) is None
    assert benchlib.ratio(None, 1) is None


@pytest.mark.parametrize("text, ms", [("812.00us", 0.812), ("1.23ms", 1.23), ("2.01s", 2010.0), ("1.5m", 90000.0)])
def test_wrk_durations_in_milliseconds(text, ms):
    assert benchlib.duration_ms(text) == pytest.approx(ms)


def test_wrk_output_gives_rate_percentiles_and_errors():
    result = benchlib.parse_wrk(WRK)
    assert result["rps"] == 3039.12
    assert result["p50_ms"] == pytest.approx(19.65)
    assert result["p99_ms"] == pytest.approx(0.812)
    assert result["requests"] == 12158
    assert result["errors"] == 2 + 1 + 4


def test_wrk_output_without_figures_is_an_error():
    with pytest.raises(ValueError, match="no figures"):
        benchlib.parse_wrk("unable to connect to app.example.test:443 Connection refused\n")


def test_h2load_log_and_output_give_rate_protocol_percentiles_and_errors():
    log = "\n".join("1795849516191798\t%d\t%d" % (status, us) for status, us in
                    [(200, 1000)] * 98 + [(200, 50000), (200, 90000), (502, 999999)])
    durations = benchlib.h2load_durations(log + "\nnot a line\n")
    assert len(durations) == 100
    result = benchlib.parse_h2load(H2LOAD, durations)
    assert result["rps"] == 1212.5
    assert result["protocol"] == "h2"
    assert result["p50_ms"] == 1.0
    assert result["p99_ms"] == 50.0
    assert result["requests"] == 4848
    assert result["errors"] == 2 + 0 + 1 + 3


def test_h2_shape_spreads_the_concurrency_over_connections():
    assert benchlib.h2_shape(64, 8) == (8, 8)
    assert benchlib.h2_shape(16, 8) == (2, 8)
    assert benchlib.h2_shape(4, 8) == (1, 4)
    assert benchlib.h2_shape(256, 8) == (32, 8)


def test_cpu_figures():
    assert benchlib.cores_used(1_000_000_000, 3_000_000_000, 2.0) == 1.0
    assert benchlib.cores_used(None, 5, 1.0) is None
    assert benchlib.cpu_ms_per_request(0.9, 3000) == 0.3
    assert benchlib.cpu_ms_per_request(None, 3000) is None
    assert benchlib.cpu_ms_per_request(0.9, 0) is None


def test_memory_probe_lines_become_megabytes_per_role():
    assert benchlib.rss_kb("Name:\tcaddy\nVmRSS:\t   51200 kB\n") == 51200
    assert benchlib.rss_kb("Name:\tkthreadd\n") is None
    memory = benchlib.parse_memory_probe("gunicorn_master 10 28672\ngunicorn_worker 11 51200\ngunicorn_worker 12 50176\n"
                                         "caddy 20 51814\nuvicorn 30 \n")
    assert memory == {"gunicorn_master": [28.0], "gunicorn_worker": [50.0, 49.0], "caddy": [50.6]}


EXAMPLE_CFG = """[defaults]
inventory = inventory.yml
interpreter_python = auto_silent
collections_path = ./collections
gathering = smart
fact_caching = jsonfile
fact_caching_connection = ~/.cache/fastapi-ops/facts
fact_caching_timeout = 7200
forks = 20

[ssh_connection]
pipelining = true
ssh_args = -C -o ControlMaster=auto -o ControlPersist=10m
"""


def _cfg(text):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    return parser


def test_recommended_configuration_takes_the_example_speed_settings():
    cfg = _cfg(benchlib.ansible_cfg("recommended", EXAMPLE_CFG, "/repo/collections", "/state"))
    assert cfg.get("ssh_connection", "pipelining") == "true"
    assert cfg.get("ssh_connection", "ssh_args") == "-C -o ControlMaster=auto -o ControlPersist=10m"
    assert cfg.get("ssh_connection", "control_path_dir") == "/state/cp-recommended"
    assert cfg.get("defaults", "forks") == "20"
    assert cfg.get("defaults", "gathering") == "smart"
    assert cfg.get("defaults", "fact_caching_connection") == "/state/facts-recommended"
    assert cfg.get("defaults", "collections_path") == "/repo/collections"
    assert not cfg.has_option("defaults", "inventory")


def test_defaults_configuration_sets_no_speed_setting():
    cfg = _cfg(benchlib.ansible_cfg("defaults", EXAMPLE_CFG, "/repo/collections", "/state"))
    for section, keys in benchlib.SPEED_SETTINGS.items():
        for key in keys:
            assert not cfg.has_option(section, key), key
    assert cfg.get("ssh_connection", "control_path_dir") == "/state/cp-defaults"


def test_the_example_project_has_every_speed_setting():
    with open(os.path.join(ROOT, "examples", "site", "ansible.cfg")) as handle:
        cfg = _cfg(handle.read())
    for section, keys in benchlib.SPEED_SETTINGS.items():
        for key in keys:
            assert cfg.has_option(section, key), key
    assert "ControlPersist" in cfg.get("ssh_connection", "ssh_args")


def test_unknown_configuration_is_refused():
    with pytest.raises(ValueError):
        benchlib.ansible_cfg("fastest", EXAMPLE_CFG, "/c", "/s")


def test_figure_has_runs_median_and_ratio_to_its_baseline():
    floor = benchlib.figure([20.0, 22.0, 21.0])
    cold = benchlib.figure([84.0, 80.0, 90.0], floor)
    assert floor == {"runs": [20.0, 22.0, 21.0], "median": 21.0, "ratio": None}
    assert cold["median"] == 84.0 and cold["ratio"] == 4.0
    runs = [{"rps": 10.0}, {"rps": None}, {"rps": 30.0}]
    assert benchlib.figure(runs, key="rps") == {"runs": [10.0, 30.0], "median": 20.0, "ratio": None}


def _run(rps, p99, cores=0.9):
    return {"rps": rps, "p50_ms": p99 / 3, "p99_ms": p99, "server_cores": cores, "client_cores": 0.1, "errors": 0}


def test_serving_rows_compare_with_the_ceiling_and_with_nginx():
    cells = {
        ("ours", "h1", "/", 16): [_run(900, 30), _run(950, 32), _run(1000, 28)],
        ("nginx", "h1", "/", 16): [_run(1000, 30)] * 3,
        ("gunicorn", "h1", "/", 16): [_run(3000, 10)] * 3,
        ("ours", "h2", "/", 16): [_run(800, 40)] * 3,
        ("nginx", "h2", "/", 16): [_run(1000, 20)] * 3,
    }
    rows = benchlib.serving_rows(cells, ["ours", "gunicorn", "uvicorn", "nginx"])
    assert [(r["stack"], r["protocol"]) for r in rows] == [("ours", "h1"), ("gunicorn", "h1"), ("nginx", "h1"), ("ours", "h2"), ("nginx", "h2")]
    ours = rows[0]
    assert ours["rps"]["median"] == 950 and ours["rps"]["runs"] == [900, 950, 1000]
    assert ours["rps_vs_ceiling"] == 0.317
    assert ours["rps_vs_nginx"] == 0.95 and ours["p99_vs_nginx"] == round(30 / 30, 3)
    assert ours["cpu_ms_per_request"] == round(0.9 * 1000 / 950, 3)
    h2 = rows[3]
    assert h2["rps_vs_nginx"] == 0.8 and h2["p99_vs_nginx"] == 2.0
    assert h2["rps_vs_ceiling"] == round(800 / 3000, 3)


def test_markdown_report_has_the_machine_the_tables_and_the_notes():
    cells = {("ours", "h1", "/", 16): [_run(900, 30)], ("nginx", "h1", "/", 16): [_run(1000, 30)]}
    results = {
        "finished": "2025-01-01 00:00 UTC", "seconds": 1234, "default_run": True,
        "machine": {"CPU": "Test CPU", "cores": "2"},
        "serving": {"setup": "How.", "rows": benchlib.serving_rows(cells, list(benchlib.STACKS)),
                    "memory": {"ours: Caddy": {"runs": [50.0], "median": 50.0, "ratio": 3.1, "baseline": "nginx"}},
                    "variants": []},
        "provisioning": {"setup": "Runs.", "figures": {"cold": {"runs": [80.0, 90.0], "median": 85.0, "ratio": 4.25, "baseline": "floor"}}},
        "notes": ["Load average 0.1."],
    }
    text = benchlib.markdown(results)
    assert "in 20 min 34 s, with every knob at its default" in text
    assert "| CPU | Test CPU |" in text
    assert "| ours: Caddy HTTPS -> socket -> Gunicorn | HTTP/1.1 | `/` | 16 | 900 | 900 |" in text
    assert "0.90x, 1.00x" in text
    assert "| cold | 85.0 | 80.0 / 90.0 | 4.25x | floor |" in text
    assert "- Load average 0.1." in text
    results["default_run"] = False
    results["env"] = {"BENCH_RUNS": "1"}
    assert "with BENCH_RUNS=1." in benchlib.markdown(results)


def test_variant_rows_show_before_and_after():
    default = benchlib.serving_rows({("ours", "h1", "/", 64): [_run(1000, 30, 0.9)]}, ["ours"])[0]
    variant = benchlib.serving_rows({("ours", "h1", "/", 64): [_run(1200, 25, 0.9)], ("nginx", "h1", "/", 64): [_run(1250, 25)]},
                                    ["ours", "nginx"])
    row = benchlib.compare_with_default(variant[0], default)
    assert row["rps_default"] == 1000 and row["rps_vs_default"] == 1.2
    assert row["cpu_ms_per_request_default"] == 0.9 and row["cpu_ms_per_request"] == 0.75
    assert row["cpu_vs_default"] == round(0.75 / 0.9, 3)
    assert benchlib.compare_with_default(variant[1], None)["rps_vs_default"] is None
    table = benchlib.variant_table(variant)
    assert "| ours | HTTP/1.1 | `/` | 64 | 1,000 -> 1,200 | 1.20x | 25.00 | 0.96x, 1.00x | 0.900 -> 0.750 | 0.83x |" in table


def test_the_order_body_is_deterministic_json_of_40_lines_from_the_catalogue():
    body = benchlib.orders_body()
    assert body == benchlib.orders_body()
    order = json.loads(body)
    assert len(order["lines"]) == benchlib.ORDER_LINES == 40
    numbers = [int(line["sku"].split("-")[1]) for line in order["lines"]]
    assert all(1 <= number <= 5000 for number in numbers) and len(set(numbers)) == 40
    assert all(1 <= line["quantity"] <= 5 for line in order["lines"])
    assert order["shipping"]["country"] == "GB" and order["currency"] == "EUR"
    assert 2000 < len(body) < 4000
    assert len(json.loads(benchlib.orders_body(3))["lines"]) == 3


def test_the_wrk_script_posts_the_body_verbatim():
    script = benchlib.wrk_post_script('{"a":"x]]"}')
    assert 'wrk.method = "POST"' in script
    assert 'wrk.headers["Content-Type"] = "application/json"' in script
    assert 'wrk.body = [=[{"a":"x]]"}]=]' in script
    assert "wrk.body = [[{}]]" in benchlib.wrk_post_script("{}")


def test_post_endpoints_and_the_load_commands():
    assert benchlib.is_post("/orders") and benchlib.is_post("/orders?x=1")
    assert not benchlib.is_post("/") and not benchlib.is_post("/items/42?q=x")
    get = benchlib.load_command("h1", "https://a.test:443/", "/", 64, 4, "gzip")
    assert get == "wrk --latency -t 1 -c 64 -d 4s --timeout 10s -H 'Accept-Encoding: gzip' https://a.test:443/"
    post = benchlib.load_command("h1", "http://a.test:8000/orders", "/orders", 16, 2, "", wrk_threads=4)
    assert post == "wrk --latency -t 4 -c 16 -d 2s --timeout 10s -s /tmp/bench-post.lua http://a.test:8000/orders"
    h2 = benchlib.load_command("h2", "https://a.test:443/orders", "/orders", 64, 4, "gzip")
    assert h2 == ("rm -f /tmp/h2load.log; h2load -t 1 -c 8 -m 8 -D 4 -H 'accept-encoding: gzip' -d /tmp/bench-orders.json "
                  "-H 'content-type: application/json' --log-file=/tmp/h2load.log https://a.test:443/orders")
    assert "-d " not in benchlib.load_command("h2", "https://a.test:443/", "/", 16, 4, "")


PPROF_TOP = """File: caddy
Type: cpu
Time: Dec 2, 2026 at 8:40am (UTC)
Duration: 4.01s, Total samples = 3.62s (90.27%)
Showing nodes accounting for 1.85s, 51.10% of 3.62s total
Dropped 312 nodes (cum <= 0.02s)
Showing top 15 nodes out of 402
      flat  flat%   sum%        cum   cum%
     0.55s 15.19% 15.19%      0.56s 15.47%  runtime/internal/syscall.Syscall6
     0.12s  3.31% 18.51%      0.30s  8.29%  runtime.mallocgc
         0     0% 18.51%      2.10s 58.01%  net/http.(*conn).serve
    10ms  0.28% 18.78%      1.20s 33.15%  github.com/caddyserver/caddy/v2/modules/caddyhttp/reverseproxy.(*Handler).ServeHTTP
"""


def test_pprof_top_is_parsed_into_entries():
    top = benchlib.parse_pprof_top(PPROF_TOP)
    assert top["total"] == "3.62s" and top["duration"] == "4.01s"
    assert [entry["name"] for entry in top["entries"]] == [
        "runtime/internal/syscall.Syscall6", "runtime.mallocgc", "net/http.(*conn).serve",
        "github.com/caddyserver/caddy/v2/modules/caddyhttp/reverseproxy.(*Handler).ServeHTTP"]
    assert top["entries"][0] == {"flat": "0.55s", "flat_pct": 15.19, "sum_pct": 15.19, "cum": "0.56s", "cum_pct": 15.47,
                                 "name": "runtime/internal/syscall.Syscall6"}
    assert top["entries"][2]["flat"] == "0" and top["entries"][3]["flat"] == "10ms"
    assert benchlib.parse_pprof_top("no profile")["entries"] == []
    assert benchlib.parse_pprof_top("Showing nodes accounting for 1s, 50% of 2s total\n")["total"] == "2s"


def test_app_servers_are_compared_per_core_with_gunicorn():
    cells = {
        ("gunicorn", "h1", "/orders", 64): [_run(1000, 100, 1.0)],
        ("granian", "h1", "/orders", 64): [_run(1500, 80, 1.0)],
        ("uvicorn-workers", "h1", "/orders", 64): [_run(1000, 120, 0.8)],
        ("ours", "h1", "/orders", 64): [_run(700, 150)],
        ("gunicorn", "h2", "/orders", 64): [_run(1, 1)],
    }
    rows = benchlib.app_server_rows(benchlib.serving_rows(cells, list(benchlib.STACKS)))
    assert [row["stack"] for row in rows] == ["gunicorn", "uvicorn-workers", "granian"]
    gunicorn, workers, granian = rows
    assert gunicorn["rps_per_core"] == 1000.0 and gunicorn["rps_per_core_vs_baseline"] == 1.0
    assert granian["rps_per_core_vs_baseline"] == 1.5 and granian["p99_vs_baseline"] == 0.8
    assert workers["rps_per_core"] == 1250.0 and workers["p99_vs_baseline"] == 1.2
    table = benchlib.app_server_table(rows)
    assert "| `granian --workers N`, TCP, no TLS | `/orders` | 64 | 1,500 | 80.00 | 0.667 | 1,500 | 1.50x, 0.80x |" in table
    assert benchlib.rps_per_core({"rps": {"median": 100.0}, "server_cores": {"median": None}}) is None


def test_profiles_are_written_with_their_top_entries():
    top = benchlib.parse_pprof_top(PPROF_TOP)
    profile = {"protocol": "h2", "endpoint": "/", "concurrency": 64, "seconds": 4, "file": "bench-results/state/caddy-h2-64.pprof",
               "figures": _run(1500, 90), "total": top["total"], "flat": top["entries"], "cum": top["entries"][:1]}
    text = benchlib.profile_section(profile)
    assert text.startswith("#### Caddy, HTTP/2 `/`, 64 concurrent, 4 s")
    assert "1,500 req/s, p99 90.00 ms" in text and "Samples: 3.62s." in text
    assert "| 0.55s | 15.2 | 0.56s | 15.5 | `runtime/internal/syscall.Syscall6` |" in text
    assert "Top 4 by own (flat) time" in text and "Top 1 by cumulative time" in text
    failed = benchlib.profile_section(dict(profile, error="`go tool pprof` is not available"))
    assert failed.endswith("`go tool pprof` is not available")
    results = {"serving": {"setup": "", "rows": [], "profiles": [profile]}}
    assert "### Caddy's CPU profile" in benchlib.markdown(results)


@pytest.mark.parametrize("text, seconds", [("1.04s", 1.04), ("940ms", 0.94), ("120us", 0.00012), ("0", 0.0), ("2min", 120.0)])
def test_pprof_durations_in_seconds(text, seconds):
    assert benchlib.pprof_seconds(text) == pytest.approx(seconds)


def test_pprof_duration_that_is_none_is_refused():
    with pytest.raises(ValueError):
        benchlib.pprof_seconds("fast")


def _entry(flat, name, cum="0", cum_pct=0.0):
    return {"flat": flat, "flat_pct": 0.0, "sum_pct": 0.0, "cum": cum, "cum_pct": cum_pct, "name": name}


def test_pprof_areas_add_each_function_once_to_the_first_matching_area():
    entries = [
        _entry("1s", "internal/runtime/syscall.Syscall6"),
        _entry("500ms", "runtime.scanobject"),
        _entry("0.25s", "internal/runtime/maps.(*Map).getWithoutKeySmallFastStr"),
        _entry("0.5s", "github.com/klauspost/compress/flate.(*fastEncL5).Encode"),
        _entry("0.25s", "crypto/internal/fips140/aes/gcm.(*GCMForTLS13).Open"),
        _entry("0.25s", "go.uber.org/zap/buffer.(*Buffer).AppendByte (inline)"),
        _entry("0.25s", "github.com/caddyserver/caddy/v2/modules/caddyhttp/reverseproxy.selectRandomHost"),
        _entry("0.25s", "bufio.(*Reader).Peek"),
        _entry("0", "net/http.(*conn).serve", "3s", 75.0),
    ]
    areas = benchlib.pprof_areas(entries)
    assert areas[0] == ("system calls (socket reads and writes, epoll)", 1.0, 30.8)
    assert dict((name, seconds) for name, seconds, _percent in areas) == {
        "system calls (socket reads and writes, epoll)": 1.0,
        "Go runtime (allocation, garbage collector, scheduler, maps)": 0.75,
        "compression (gzip, zstd)": 0.5,
        "TLS and its crypto": 0.25,
        "access log (zap)": 0.25,
        "Caddy's handlers (routes, reverse proxy, headers, encode)": 0.25,
        "other": 0.25,
    }
    assert benchlib.pprof_areas([]) == []


def test_pprof_key_functions_are_found_by_name_in_order():
    entries = [_entry("0", "crypto/tls.(*Conn).Write", "0.51s", 14.41), _entry("10ms", "runtime.mallocgc (inline)", "0.44s", 12.43),
               _entry("0", "main.main", "1s", 30.0)]
    assert benchlib.pprof_key_functions(entries) == [("runtime.mallocgc", "0.44s", 12.43), ("crypto/tls.(*Conn).Write", "0.51s", 14.41)]


def test_profile_section_shows_the_areas_and_known_costs():
    profile = {"protocol": "h1", "endpoint": "/orders", "concurrency": 64, "seconds": 10, "file": "f.pprof", "figures": {},
               "total": "3s", "flat": [], "cum": [], "areas": [("compression (gzip, zstd)", 0.75, 22.3)],
               "key_functions": [("runtime.mallocgc", "0.44s", 12.43)]}
    text = benchlib.profile_section(profile)
    assert "| compression (gzip, zstd) | 0.75 | 22.3 |" in text
    assert "`runtime.mallocgc` 0.44s (12.4 %)" in text


# --- the cluster part ----------------------------------------------------------

COMMON = {"ansible_user": "deploy"}


def test_a_single_target_inventory_has_no_groups():
    inventory = benchlib.inventory({"target": "172.30.0.5"}, COMMON, {"fastapi_apps": []})
    assert inventory == {"all": {"hosts": {"target": {"ansible_host": "172.30.0.5", "ansible_user": "deploy"}},
                                 "vars": {"fastapi_apps": []}}}


def test_a_cluster_inventory_has_the_two_groups_and_private_addresses():
    hosts = {"edge": "172.30.0.10", "app1": "172.30.0.11", "app2": "172.30.0.12"}
    inventory = benchlib.inventory(hosts, COMMON, {"x": 1}, ["edge"], ["app1", "app2"])
    children = inventory["all"]["children"]
    assert inventory["all"]["vars"] == {"x": 1} and "hosts" not in inventory["all"]
    assert list(children) == ["fastapi_edge", "fastapi_app_hosts"]
    assert children["fastapi_edge"]["hosts"] == {
        "edge": {"ansible_host": "172.30.0.10", "ansible_user": "deploy", "fastapi_private_address": "172.30.0.10"}}
    assert list(children["fastapi_app_hosts"]["hosts"]) == ["app1", "app2"]
    assert children["fastapi_app_hosts"]["hosts"]["app2"]["fastapi_private_address"] == "172.30.0.12"


@pytest.mark.parametrize("edges, app_hosts, message", [
    (["edge"], [], "both edges and app hosts"),
    ([], ["app1"], "both edges and app hosts"),
    (["edge"], ["app9"], "no address for app9"),
])
def test_a_wrong_layout_is_refused(edges, app_hosts, message):
    with pytest.raises(ValueError, match=message):
        benchlib.inventory({"edge": "10.0.0.1", "app1": "10.0.0.2"}, COMMON, {}, edges, app_hosts)


def _cluster_run(rps, app_cores, errors=0):
    return {"rps": rps, "p50_ms": 10.0, "p99_ms": 40.0, "errors": errors, "edge_cores": 0.5, "client_cores": 0.3,
            "app_cores": app_cores}


def test_cluster_rows_compare_each_layout_with_the_fewest_app_hosts():
    cells = {
        (1, "h1", "/", 64): [_cluster_run(1000, [0.9]), _cluster_run(1100, [0.95]), _cluster_run(900, [0.9])],
        (3, "h1", "/", 64): [_cluster_run(1500, [0.3, 0.31, 0.29]), _cluster_run(1650, [0.3, 0.3, 0.3]),
                             _cluster_run(1600, [0.32, 0.3, 0.3], errors=2)],
        (1, "h2", "/", 64): [_cluster_run(800, [0.9])],
    }
    rows = benchlib.cluster_rows(cells)
    assert [(row["protocol"], row["app_hosts"]) for row in rows] == [("h1", 1), ("h1", 3), ("h2", 1)]
    one, three, h2 = rows
    assert one["rps"]["median"] == 1000 and one["rps_vs_fewest"] is None and one["app_cores"] == [0.9]
    assert three["rps"]["median"] == 1600 and three["rps_vs_fewest"] == 1.6
    assert three["app_cores"] == [0.3, 0.3, 0.3] and three["idle_hosts"] == [] and three["errors"] == 2
    assert h2["rps_vs_fewest"] is None


def test_an_app_host_that_did_no_work_is_named():
    rows = benchlib.cluster_rows({(2, "h1", "/", 64): [_cluster_run(1000, [0.9, 0.0])], (3, "h1", "/", 64): [_cluster_run(1000, [0.5, 0.4])]})
    assert rows[0]["idle_hosts"] == [2]
    # A host without a CPU figure (its cgroup could not be read) counts as idle too.
    assert rows[1]["app_cores"] == [0.5, 0.4, None] and rows[1]["idle_hosts"] == [3]
    assert "0.50 / 0.40 / - (idle: app3)" in benchlib.cluster_table(rows)


def test_markdown_has_the_cluster_table():
    rows = benchlib.cluster_rows({(1, "h1", "/orders", 64): [_cluster_run(500, [0.9])],
                                  (3, "h2", "/orders", 64): [_cluster_run(600, [0.3, 0.3, 0.3])]})
    text = benchlib.markdown({"cluster": {"setup": "An edge.", "rows": rows}})
    assert "## Through an edge: one and several app hosts" in text
    assert "| 1 | HTTP/1.1 | `/orders` | 64 | 500 | 500 | 10.00 | 40.00 | - | 0.50 | 0.90 | 0 |" in text
    assert "| 3 | HTTP/2 | `/orders` | 64 | 600 |" in text
