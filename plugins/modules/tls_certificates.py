#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fastapi_ops.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: tls_certificates
short_description: The certificate a TLS server serves for each name, and when it expires
version_added: 0.2.0
description:
  - For each name, a TLS handshake with that name as SNI to O(address) (by default Caddy on the host's own
    loopback), and what the certificate served says - its validity, days left, subject and issuer common names.
  - It reports what is served, whoever issued it; nothing is verified and nothing changes. A name the server has
    no certificate for (a failed handshake) is reported with its error, not as a failure of the task.
  - Only the Python standard library is needed on the host.
author:
  - fastapi_ops.server contributors (@fastapi-ops)
extends_documentation_fragment:
  - fastapi_ops.server.read_only
options:
  names:
    description: The server names (SNI), such as every app's domains.
    type: list
    elements: str
    required: true
  address:
    description: The address to connect to.
    type: str
    default: 127.0.0.1
  port:
    description: The TCP port.
    type: int
    default: 443
  timeout:
    description: Seconds for each connection and handshake.
    type: float
    default: 5
"""

EXAMPLES = r"""
- name: The certificates Caddy serves are known
  fastapi_ops.server.tls_certificates:
    names: [shop.example.com, www.shop.example.com]
  register: served

- name: No certificate expires within two weeks
  ansible.builtin.assert:
    that: served.certificates | rejectattr('error') | selectattr('days_left', 'lt', 14) | list | length == 0
"""

RETURN = r"""
certificates:
  description: One entry per name, in the order of O(names).
  returned: success
  type: list
  elements: dict
  contains:
    name: {description: The name asked for (SNI)., type: str}
    not_before: {description: "Start of validity, UTC (C(YYYY-MM-DDTHH:MM:SSZ)); empty on error.", type: str}
    not_after: {description: "End of validity, UTC (C(YYYY-MM-DDTHH:MM:SSZ)); empty on error.", type: str}
    days_left: {description: "Whole days until the certificate expires, rounded down (negative once expired); null on error.", type: int}
    expired: {description: Whether the certificate has expired., type: bool}
    subject: {description: The subject's common name (often empty for ACME certificates)., type: str}
    issuer: {description: The issuer's common name., type: str}
    error: {description: Why no certificate could be read (empty when one was)., type: str}
  sample:
    - name: shop.example.com
      not_before: "2026-12-01T10:00:00Z"
      not_after: "2027-03-01T10:00:00Z"
      days_left: 88
      expired: false
      subject: ""
      issuer: "R11"
      error: ""
"""

import datetime
import socket
import ssl

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fastapi_ops.server.plugins.module_utils.certificates import CertificateError, expiry


def served_certificate(address, port, name, timeout):
    """The DER bytes of the certificate the server at address:port serves for the SNI ``name``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    # What is served is reported, not judged: the issuer may be a test or internal CA.
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection((address, port), timeout=timeout) as raw:
        with context.wrap_socket(raw, server_hostname=name) as tls:
            return tls.getpeercert(binary_form=True)


def read(module, now):
    params = module.params
    result = []
    for name in params["names"]:
        try:
            der = served_certificate(params["address"], params["port"], name, params["timeout"])
            if not der:
                raise CertificateError("the server sent no certificate")
            result.append(expiry(name, der, now))
        except (OSError, CertificateError) as error:
            result.append({"name": name, "not_before": "", "not_after": "", "days_left": None, "expired": False,
                           "subject": "", "issuer": "", "error": "%s" % (error,) or type(error).__name__})
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            names=dict(type="list", elements="str", required=True),
            address=dict(type="str", default="127.0.0.1"),
            port=dict(type="int", default=443),
            timeout=dict(type="float", default=5),
        ),
        supports_check_mode=True,
    )
    now = datetime.datetime.now(datetime.timezone.utc)
    module.exit_json(changed=False, certificates=read(module, now))


if __name__ == "__main__":
    main()
