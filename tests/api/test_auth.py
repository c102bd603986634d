"""Sanctum-style bearer tokens: what gets in, what answers 401."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from callvault.db.base import utcnow
from callvault.tokens.models import ApiToken
from callvault.tokens.service import issue_token, revoke_token
from tests.conftest import read_session

URL = "/api/user/calls"
UNAUTHENTICATED = {"message": "Unauthenticated."}


def status(client, authorization: str | None) -> int:
    headers = {} if authorization is None else {"Authorization": authorization}
    return int(client.get(URL, headers=headers).status_code)


def test_full_token_and_bare_secret_are_accepted(client, tenant) -> None:
    assert status(client, f"Bearer {tenant.token}") == 200
    assert status(client, f"Bearer {tenant.token.split('|', 1)[1]}") == 200


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "bearer {token}",
        "Token {token}",
        "Basic dXNlcjpwYXNz",
        "Bearer {id}|",
        "Bearer |{secret}",
        "Bearer x{id}|{secret}",
        "Bearer {id}|{secret}x",
        "Bearer 999999|{secret}",
        "Bearer {other_id}|{secret}",
        "Bearer 99999999999999999999999|{secret}",
        "Bearer nonsense",
    ],
)
def test_bad_credentials_answer_401(client, tenant, header: str | None) -> None:
    token_id, secret = tenant.token.split("|", 1)
    if header is not None:
        header = header.format(
            token=tenant.token, id=token_id, secret=secret, other_id=int(token_id) + 1
        )
    response = client.get(URL, headers={} if header is None else {"Authorization": header})
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
    assert response.content == b'{"message":"Unauthenticated."}'


def test_last_bearer_wins_and_a_comma_ends_it(client, tenant) -> None:
    assert status(client, f"Bearer junk, Bearer {tenant.token}") == 200
    assert status(client, f"Bearer {tenant.token}, Basic x") == 200
    assert status(client, f"Bearer {tenant.token} Bearer junk") == 401


def test_revoked_token_answers_401(client, tenant, db) -> None:
    assert status(client, f"Bearer {tenant.token}") == 200
    with tenant.write() as view:
        revoke_token(view, int(tenant.token.split("|")[0]))
    assert status(client, f"Bearer {tenant.token}") == 401


def test_expired_token_answers_401_and_future_expiry_works(client, tenant, db) -> None:
    with tenant.write() as view:
        expired = issue_token(view, name="old", expires_at=utcnow() - timedelta(seconds=1))
        valid = issue_token(view, name="new", expires_at=utcnow() + timedelta(days=1))
    assert status(client, f"Bearer {expired.plain_text}") == 401
    assert status(client, f"Bearer {expired.plain_text.split('|')[1]}") == 401
    assert status(client, f"Bearer {valid.plain_text}") == 200


def test_only_the_hash_is_stored_and_use_is_recorded(client, tenant, db) -> None:
    token_id, secret = tenant.token.split("|", 1)
    assert status(client, f"Bearer {tenant.token}") == 200
    with read_session(db) as session:
        token = session.scalar(select(ApiToken).where(ApiToken.id == int(token_id)))
        assert token is not None
        assert secret not in token.token_hash
        assert len(token.token_hash) == 64
        assert token.last_used_at is not None


@pytest.mark.parametrize("path", ["/api/user/me", "/api/user/calls/1"])
def test_every_user_route_requires_a_token(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
    assert client.delete(path).status_code in (401, 405)


def test_authentication_comes_before_validation(client) -> None:
    response = client.get(f"{URL}?per_page=0&status=x")
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
