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


def test_the_policy_built_once_is_the_librarys_and_follows_its_settings(client, settings):
    from csp.utils import build_policy

    assert client.get(reverse("login")).headers["Content-Security-Policy"] == build_policy()
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert client.get(reverse("login")).headers["Content-Security-Policy"] == "default-src 'none'"


def test_a_response_with_its_own_policy_parts_still_gets_them():
    from django.http import HttpResponse
    from django.test import RequestFactory

    from vivreensemble.middleware import ConstantCSPMiddleware

    def view(request):
        response = HttpResponse("carte")
        response._csp_update = {"img-src": ["https://tuiles.example.org"]}
        return response

    response = ConstantCSPMiddleware(view)(RequestFactory().get("/"))
    policy = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://tuiles.example.org" in policy and "default-src 'self'" in policy
