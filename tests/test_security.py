"""Security headers and brakes on guessing, seen from the outside."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get(reverse("login"))
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.ratelimit
def test_password_guessing_is_slowed_down_without_locking_others_out(client):
    factories.facilitator(username="cible")
    factories.facilitator(username="autre")
    url = reverse("login")
    statuses = [
        client.post(url, {"username": "cible", "password": f"essai{i}"}).status_code
        for i in range(12)
    ]
    assert statuses[:10] == [200] * 10
    blocked = client.post(url, {"username": "cible", "password": "mot-de-passe-test"})
    assert blocked.status_code == 429
    assert "Trop de tentatives de connexion" in blocked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same address can still log in.
    other = client.post(url, {"username": "autre", "password": "mot-de-passe-test"})
    assert other.status_code == 302
