"""tls_certificates: what a TLS server on loopback serves for each SNI name."""

import datetime
import socket
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

UTC = datetime.timezone.utc


def write_pair(tmp_path, name, days):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(UTC)
    certificate = (x509.CertificateBuilder()
                   .subject_name(x509.Name([]))
                   .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Unit CA")]))
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=days, hours=1))
                   .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
                   .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / (name + ".crt"), tmp_path / (name + ".key")
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_file), str(key_file)


@pytest.fixture
def tls_server(tmp_path):
    """A TLS server on loopback with a certificate per SNI name (as Caddy has);
    a name it has none for fails the handshake."""
    contexts = {}
    for name, days in (("shop.example.test", 60), ("api.example.test", 5)):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*write_pair(tmp_path, name, days))
        contexts[name] = context
    default = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)

    def choose(tls, name, _context):
        if name not in contexts:
            return ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME
        tls.context = contexts[name]
        return None

    default.sni_callback = choose
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(10)

    def serve():
        while True:
            try:
                connection = listener.accept()[0]
            except OSError:
                return
            try:
                with default.wrap_socket(connection, server_side=True) as tls:
                    tls.recv(1)
            except (OSError, ssl.SSLError):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    listener.close()


def test_each_name_gets_its_own_certificate_and_days_left(run_module, tls_server):
    result = run_module("tls_certificates", names=["shop.example.test", "api.example.test"], port=tls_server)
    assert result.get("failed") is not True, result
    assert result["changed"] is False
    shop, api = result["certificates"]
    assert (shop["name"], shop["days_left"], shop["expired"], shop["issuer"], shop["error"]) == (
        "shop.example.test", 60, False, "Unit CA", "")
    assert api["days_left"] == 5
    assert shop["not_after"] > api["not_after"]


def test_a_name_without_a_certificate_is_reported_not_failed(run_module, tls_server):
    result = run_module("tls_certificates", names=["nobody.example.test"], port=tls_server, check_mode=True)
    assert result.get("failed") is not True, result
    (entry,) = result["certificates"]
    assert entry["days_left"] is None and entry["not_after"] == ""
    assert "UNRECOGNIZED_NAME" in entry["error"].upper() or "alert" in entry["error"].lower(), entry


def test_a_closed_port_is_reported(run_module):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    (entry,) = run_module("tls_certificates", names=["shop.example.test"], port=port, timeout=2)["certificates"]
    assert "refused" in entry["error"].lower(), entry
