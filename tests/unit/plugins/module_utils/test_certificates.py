"""certificates: expiry, subject and issuer of a DER certificate, without cryptography on the host."""

import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.fastapi_ops.server.plugins.module_utils.certificates import (
    CertificateError, certificate_info, expiry)

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 12, 2, 12, 0, 0, tzinfo=UTC)


def make_der(not_before, not_after, subject_cn="shop.example.test", issuer_cn="Lab Intermediate CA"):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject_cn)] if subject_cn else [])
    issuer = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Lab"),
                        x509.NameAttribute(NameOID.COMMON_NAME, issuer_cn)])
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(not_before).not_valid_after(not_after)
                   .add_extension(x509.SubjectAlternativeName([x509.DNSName("shop.example.test")]), critical=False)
                   .sign(key, hashes.SHA256()))
    return certificate.public_bytes(serialization.Encoding.DER)


def test_validity_and_names_are_read():
    der = make_der(datetime.datetime(2026, 11, 30, 8, 0, 0, tzinfo=UTC), datetime.datetime(2027, 2, 28, 8, 0, 5, tzinfo=UTC))
    info = certificate_info(der)
    assert info == {
        "not_before": datetime.datetime(2026, 11, 30, 8, 0, 0, tzinfo=UTC),
        "not_after": datetime.datetime(2027, 2, 28, 8, 0, 5, tzinfo=UTC),
        "subject": "shop.example.test",
        "issuer": "Lab Intermediate CA",
    }


def test_generalized_time_after_2049_and_no_subject_cn():
    der = make_der(datetime.datetime(2049, 12, 1, tzinfo=UTC), datetime.datetime(2051, 1, 2, 3, 4, 5, tzinfo=UTC), subject_cn="")
    info = certificate_info(der)
    assert info["not_before"].year == 2049  # UTCTime
    assert info["not_after"] == datetime.datetime(2051, 1, 2, 3, 4, 5, tzinfo=UTC)  # GeneralizedTime
    assert info["subject"] == ""


def test_expiry_counts_whole_days_left():
    der = make_der(NOW - datetime.timedelta(days=10), NOW + datetime.timedelta(days=89, hours=23))
    shown = expiry("shop.example.test", der, NOW)
    assert shown == {
        "name": "shop.example.test",
        "not_before": "2026-11-22T12:00:00Z",
        "not_after": "2027-03-02T11:00:00Z",
        "days_left": 89,
        "expired": False,
        "subject": "shop.example.test",
        "issuer": "Lab Intermediate CA",
        "error": "",
    }


@pytest.mark.parametrize("left, days, expired", [
    (datetime.timedelta(hours=5), 0, False),
    (datetime.timedelta(hours=-5), -1, True),
    (datetime.timedelta(days=-3, hours=-1), -4, True),
])
def test_expiry_near_and_past_the_end(left, days, expired):
    shown = expiry("x", make_der(NOW - datetime.timedelta(days=90), NOW + left), NOW)
    assert (shown["days_left"], shown["expired"]) == (days, expired)


@pytest.mark.parametrize("der", [b"", b"\x02\x01\x00", b"\x30\x82\xff\xff\x00", b"\x30\x03\x30\x01\x00"])
def test_what_is_not_a_certificate_is_refused(der):
    with pytest.raises(CertificateError):
        certificate_info(der)
