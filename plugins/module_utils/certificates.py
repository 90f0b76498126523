# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a served X.509 certificate says about its expiry, read from its DER bytes.

Only the standard library: the managed hosts need no ``cryptography``. The
fields read are those of RFC 5280's TBSCertificate (validity, subject and
issuer common names); nothing is verified here, this reports what is served.
"""

from __future__ import annotations

import datetime

# The OID of commonName (2.5.4.3), DER-encoded.
CN_OID = b"\x55\x04\x03"
SEQUENCE, SET, OID, UTC_TIME, GENERALIZED_TIME = 0x30, 0x31, 0x06, 0x17, 0x18


class CertificateError(ValueError):
    """The bytes are not a DER X.509 certificate this parser understands."""


def _tlv(data, offset):
    """Tag, content and the offset after one DER element at ``offset``."""
    if offset + 2 > len(data):
        raise CertificateError("truncated DER element at byte %d" % offset)
    tag, length = data[offset], data[offset + 1]
    offset += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or offset + count > len(data):
            raise CertificateError("unsupported DER length at byte %d" % (offset - 1))
        length = int.from_bytes(data[offset:offset + count], "big")
        offset += count
    end = offset + length
    if end > len(data):
        raise CertificateError("DER element at byte %d runs past the end" % offset)
    return tag, data[offset:end], end


def _children(data):
    offset = 0
    while offset < len(data):
        tag, content, offset = _tlv(data, offset)
        yield tag, content


def _time(tag, content):
    text = content.decode("ascii")
    if tag == UTC_TIME:  # YYMMDDHHMMSSZ; RFC 5280: YY >= 50 is 19YY
        year = int(text[:2])
        text = ("19" if year >= 50 else "20") + text
    elif tag != GENERALIZED_TIME:
        raise CertificateError("validity time of unknown type 0x%02x" % tag)
    if not text.endswith("Z") or len(text) != 15:
        raise CertificateError("validity time %r is not YYYYMMDDHHMMSSZ" % text)
    return datetime.datetime.strptime(text, "%Y%m%d%H%M%SZ").replace(tzinfo=datetime.timezone.utc)


def _common_name(name):
    for set_tag, attributes in _children(name):
        for seq_tag, attribute in _children(attributes):
            parts = list(_children(attribute))
            if len(parts) == 2 and parts[0] == (OID, CN_OID):
                return parts[1][1].decode("utf-8", "replace")
    return ""


def certificate_info(der):
    """``not_before``, ``not_after`` (aware datetimes, UTC), ``subject`` and
    ``issuer`` (common names, '' when absent) of a DER certificate."""
    try:
        tag, certificate, _end = _tlv(bytes(der), 0)
        if tag != SEQUENCE:
            raise CertificateError("not a DER certificate (it does not start with a SEQUENCE)")
        tag, tbs, _end = _tlv(certificate, 0)
        fields = list(_children(tbs))
        if fields and fields[0][0] == 0xA0:  # [0] version
            fields = fields[1:]
        # serialNumber, signature, issuer, validity, subject
        if len(fields) < 5 or fields[3][0] != SEQUENCE:
            raise CertificateError("the certificate has no validity where RFC 5280 puts it")
        validity = list(_children(fields[3][1]))
        if len(validity) != 2:
            raise CertificateError("the validity does not have two times")
        return {
            "not_before": _time(*validity[0]),
            "not_after": _time(*validity[1]),
            "issuer": _common_name(fields[2][1]),
            "subject": _common_name(fields[4][1]),
        }
    except (IndexError, UnicodeDecodeError) as error:
        raise CertificateError("malformed certificate: %s" % error) from None


def expiry(name, der, now):
    """What status.yml shows of the certificate served for ``name``."""
    info = certificate_info(der)
    left = info["not_after"] - now
    return {
        "name": name,
        "not_before": info["not_before"].strftime("%Y-%m-%dT%H:%M:%SZ"),
        "not_after": info["not_after"].strftime("%Y-%m-%dT%H:%M:%SZ"),
        # Whole days, rounded down: 0 is less than a day left, -1 expired within the last day.
        "days_left": left.days,
        "expired": left.total_seconds() <= 0,
        "subject": info["subject"],
        "issuer": info["issuer"],
        "error": "",
    }
