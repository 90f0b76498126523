"""app_health: a real HTTP server on a Unix socket and on loopback TCP."""

import http.server
import os
import socketserver
import threading

import pytest


class Handler(http.server.BaseHTTPRequestHandler):
    answers = {"/health": (200, b'{"status":"ok"}'), "/sick": (503, b"not yet")}

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        status, body = self.answers.get(self.path, (404, b"no"))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def get_request(self):
        request, _address = super().get_request()
        return request, ("local", 0)


@pytest.fixture(name="unix_socket")
def fixture_unix_socket(tmp_path):
    path = str(tmp_path / "gunicorn.sock")
    server = UnixServer(path, Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield path
    server.shutdown()
    server.server_close()


@pytest.fixture(name="tcp_address")
def fixture_tcp_address():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield "127.0.0.1:%d" % server.server_address[1]
    server.shutdown()
    server.server_close()


def test_a_healthy_instance_on_its_socket_passes_with_its_answer(run_module, unix_socket):
    result = run_module("app_health", socket=unix_socket, path="/health", body='"ok"', timeout=5)
    assert result.get("failed") is not True, result
    assert result["changed"] is False and result["attempts"] == 1
    assert result["last"] == '200 {"status":"ok"}'


def test_a_healthy_instance_on_tcp_passes(run_module, tcp_address):
    result = run_module("app_health", address=tcp_address, path="/health", timeout=5)
    assert result.get("failed") is not True, result


def test_a_wrong_status_is_refused_after_the_timeout_with_the_last_answer(run_module, unix_socket):
    result = run_module("app_health", socket=unix_socket, path="/sick", timeout=1.5, interval=0.5)
    assert result["failed"] is True
    assert "no healthy answer (status 200) to GET /sick" in result["msg"]
    assert result["last"] == "503 not yet" and result["attempts"] >= 2


def test_a_missing_body_is_refused(run_module, unix_socket):
    result = run_module("app_health", socket=unix_socket, path="/health", body="healthy", timeout=0.5, interval=0.5)
    assert result["failed"] is True and "body containing 'healthy'" in result["msg"]


def test_no_socket_is_an_error_with_its_name(run_module, tmp_path):
    result = run_module("app_health", socket=str(tmp_path / "none.sock"), timeout=0.5, interval=0.5)
    assert result["failed"] is True and "FileNotFoundError" in result["last"]


@pytest.mark.skipif(not os.path.isdir("/run/systemd/system"), reason="needs systemd as the service manager")
def test_a_unit_that_is_not_running_ends_the_wait_at_once(run_module, tmp_path):
    result = run_module("app_health", socket=str(tmp_path / "none.sock"), timeout=30, unit="fastapi-ops-no-such-unit.service")
    assert result["failed"] is True and result["attempts"] == 1
    assert "exited before it answered its health check" in result["msg"] and result["exited"] == "inactive (dead)"


@pytest.mark.parametrize("args, message", [
    ({}, "one of the following is required: socket, address"),
    ({"address": "localhost"}, "address must be HOST:PORT"),
    ({"address": "127.0.0.1:1", "path": "health"}, "path must start with /"),
])
def test_bad_arguments_are_refused(run_module, args, message):
    result = run_module("app_health", **args)
    assert result["failed"] is True and message in result["msg"]
