"""Accounts: repeated wrong passwords lock a sign-in for 15 minutes; weak passwords are refused."""
import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from .html import visible_text

PASSWORD = "a long passphrase 42"


@pytest.fixture
def curator(django_user_model):
    return django_user_model.objects.create_superuser("curator", "curator@example.org", PASSWORD)


def _sign_in(client, password, username="curator", **extra):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password, "next": reverse("admin:index")}, **extra
    )


def _signed_in(client):
    return "_auth_user_id" in client.session


def test_four_wrong_passwords_still_show_the_sign_in_form(curator, client):
    for _ in range(4):
        response = _sign_in(client, "wrong password")
    assert response.status_code == 200
    assert "Please enter the correct username and password for a staff account." in visible_text(response.getvalue())


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(curator, client):
    for _ in range(5):
        _sign_in(client, "wrong password")

    response = _sign_in(client, PASSWORD)

    assert response.status_code == 429
    text = visible_text(response.getvalue())
    assert "Sign-in locked" in text
    assert "After 5 failed sign-ins as “curator”, this account is locked for 15 minutes from this address." in text
    assert "WPSR 2023 innovation portal" in text  # the site's own page, not a bare message
    assert not _signed_in(client)


def test_the_lock_is_for_that_username_from_that_address(curator, client, django_user_model):
    django_user_model.objects.create_superuser("colleague", "colleague@example.org", PASSWORD)
    for _ in range(5):
        _sign_in(client, "wrong password")

    assert _sign_in(client, PASSWORD, username="colleague").status_code == 302
    client.logout()
    assert _sign_in(client, PASSWORD, REMOTE_ADDR="192.0.2.7").status_code == 302


def test_a_successful_sign_in_resets_the_count(curator, client):
    for _ in range(4):
        _sign_in(client, "wrong password")
    assert _sign_in(client, PASSWORD).status_code == 302
    client.logout()

    for _ in range(4):
        _sign_in(client, "wrong password")
    response = _sign_in(client, PASSWORD)

    assert response.status_code == 302
    assert _signed_in(client)


def test_validate_password_rejects_a_common_password(curator):
    with pytest.raises(ValidationError) as raised:
        validate_password("password123", user=curator)
    assert raised.value.messages == ["This password is too common."]


def test_admin_password_form_rejects_a_common_password(curator, client, django_user_model):
    client.force_login(curator)
    editor = django_user_model.objects.create_user("editor", password=PASSWORD, is_staff=True)

    response = client.post(
        reverse("admin:auth_user_password_change", args=[editor.pk]),
        {"password1": "password123", "password2": "password123"},
    )

    assert response.status_code == 200
    assert "This password is too common." in visible_text(response.getvalue())
    editor.refresh_from_db()
    assert editor.check_password(PASSWORD)


def test_a_forged_forwarded_address_does_not_dodge_the_lockout(wpsr, client, django_user_model):
    """Without a trusted proxy, X-Forwarded-For is the client's own claim and is ignored."""
    django_user_model.objects.create_superuser("victim", "victim@example.org", "a long passphrase 42")
    login = "/admin/login/?next=/admin/"
    for attempt in range(5):
        client.post(login, {"username": "victim", "password": "wrong"}, HTTP_X_FORWARDED_FOR=f"10.9.9.{attempt}")
    response = client.post(login, {"username": "victim", "password": "a long passphrase 42"}, HTTP_X_FORWARDED_FOR="10.9.9.99")
    assert response.status_code == 429


def test_signing_in_without_next_lands_on_the_admin_index(curator, client):
    response = client.post(reverse("admin:login"), {"username": "curator", "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, reverse("admin:index"))
    assert client.get(response["Location"]).status_code == 200


def test_an_over_long_username_is_a_validation_message_not_a_database_error(curator, client):
    """django-axes records failed sign-ins in a 255-character column: PostgreSQL would raise DataError."""
    response = _sign_in(client, "wrong password", username="u" * 300)

    assert response.status_code == 200
    assert "Ensure this value has at most 150 characters (it has 300)." in visible_text(response.getvalue())
    assert _sign_in(client, PASSWORD).status_code == 302
