"""Fixtures for the API tests: clients signed in each way, and a seeded invoice ready for every action."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _fresh_rate_counters(settings):
    """Each test starts with an empty throttle budget (the counters live in a cache shared across runs)."""
    caches[settings.API_THROTTLE_CACHE].clear()
    yield
    caches[settings.API_THROTTLE_CACHE].clear()


@pytest.fixture
def api():
    """An API client; ``api.as_user(user)`` signs in by session, ``api.with_token(user)`` by token."""

    class Client(APIClient):
        def as_user(self, user):
            if user is not None:
                self.force_login(user)
            return self

        def with_token(self, user):
            from rest_framework.authtoken.models import Token

            token, _ = Token.objects.get_or_create(user=user)
            self.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
            return self

    return Client()


@pytest.fixture
def client_for(reviewer, approver, approver_only, admin_user, nobody):
    """``client_for(role)`` → an API client for one of the roles the permission tests cover."""
    from rest_framework.authtoken.models import Token

    people = {"nobody": nobody, "reviewer": reviewer, "approver": approver, "approver_only": approver_only,
              "admin": admin_user}

    def make(role: str) -> APIClient:
        client = APIClient()
        if role == "anonymous":
            return client
        if role == "token":  # a reviewer's integration, authenticated by its token only
            token = Token.objects.create(user=reviewer)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
            return client
        if role == "token_approver":
            token = Token.objects.create(user=approver_only)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
            return client
        client.force_login(people[role])
        return client

    return make


def problem(response) -> dict:
    """The problem-details body of an error response, after checking its shape."""
    assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
    body = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(body), body
    assert body["status"] == response.status_code
    return body
