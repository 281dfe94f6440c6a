"""Webhook signatures as receivers check them (the ``standardwebhooks`` reference
verifier and one written here from the spec), and where an endpoint may point."""

from __future__ import annotations

import base64
import hmac
import time

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from fakes.webhook_sender import signed_by
from fieldedge.domain.webhooks import address_refusal, url_refusal
from fieldedge.services.webhooks import signing

BODY = b'{"id":"msg_1","type":"order.created","data":{"id":"x"}}'


def test_a_signature_verifies_with_the_reference_library_and_by_hand() -> None:
    secret = signing.new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret[6:])) == 24
    headers = signing.headers([secret], "msg_1", int(time.time()), BODY)
    Webhook(secret).verify(BODY, headers)  # raises on a bad signature
    assert signed_by(secret, headers, BODY)


def test_a_changed_body_id_or_secret_does_not_verify() -> None:
    secret, other = signing.new_secret(), signing.new_secret()
    headers = signing.headers([secret], "msg_1", int(time.time()), BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY + b" ", headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(BODY, headers)
    assert not signed_by(secret, {**headers, "webhook-id": "msg_2"}, BODY)


def test_during_an_overlap_both_secrets_sign() -> None:
    new, old = signing.new_secret(), signing.new_secret()
    headers = signing.headers([new, old], "msg_1", int(time.time()), BODY)
    assert len(headers["webhook-signature"].split()) == 2
    for secret in (new, old):
        Webhook(secret).verify(BODY, headers)
        assert signed_by(secret, headers, BODY)


def test_a_known_vector() -> None:
    """Fixed input, fixed output: the signature is exactly the spec's construction."""
    secret = "whsec_" + base64.b64encode(b"k" * 24).decode()
    got = signing.signature(
        secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}'
    )
    key = b"k" * 24
    raw = hmac.new(key, b'msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}', "sha256")
    assert got == "v1," + base64.b64encode(raw.digest()).decode()


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1",  # loopback
        "10.0.0.1", "172.16.5.4", "192.168.1.1", "fd00::1",  # private
        "169.254.169.254", "fe80::1", "fd00:ec2::254",  # link-local, cloud metadata
        "0.0.0.0", "224.0.0.1", "100.64.0.1", "192.0.2.10", "240.0.0.1",  # and the rest
    ],
)  # fmt: skip
def test_addresses_that_are_not_public_are_refused(address: str) -> None:
    assert address_refusal(address) is not None


def test_public_addresses_pass_and_loopback_only_when_allowed() -> None:
    assert address_refusal("93.184.215.14") is None
    assert address_refusal("2606:2800:21f:cb07:6820:80da:af6b:8b2c") is None
    assert address_refusal("127.0.0.1", allow_loopback=True) is None
    assert address_refusal("10.0.0.1", allow_loopback=True) is not None
    assert address_refusal("169.254.169.254", allow_loopback=True) is not None


@pytest.mark.parametrize(
    ("url", "allow_http", "ok"),
    [
        ("https://erp.example.com/hooks", False, True),
        ("http://erp.example.com/hooks", False, False),  # production: HTTPS only
        ("http://erp.example.com/hooks", True, True),  # dev and test
        ("ftp://erp.example.com/", True, False),
        ("https://user:pw@erp.example.com/", False, False),
        ("https:///path-only", False, False),
        ("https://erp.example.com:0/", False, False),
        ("https://[::1/", False, False),
    ],
)
def test_urls(url: str, allow_http: bool, ok: bool) -> None:
    assert (url_refusal(url, allow_http=allow_http) is None) is ok
