"""Production mode and configuration: `check --deploy`, typed environment values, static files."""
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from portal.settings import env_bool, env_int, env_list

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x7Kq2v9P-t3mZr8LwYc1NbHs5Ue0JdAa4Gf6Ri_Xo-QpVnTz-8sLk3Wq",  # not a real key
    "ALLOWED_HOSTS": "portal.example.org",
}


def _manage(*args, env=None):
    """manage.py with portal.settings (not the tests' settings), in the environment `env` describes."""
    environment = {key: value for key, value in os.environ.items() if key not in PRODUCTION_ENV}
    environment.update({"DJANGO_SETTINGS_MODULE": "portal.settings", **(env or {})})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_mode_passes_check_deploy_without_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize("secret_key", [None, ""], ids=["unset", "empty"])
def test_production_mode_refuses_to_start_with_the_development_secret_key(secret_key):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "SECRET_KEY"}
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set: production mode (DEBUG off) refuses the development key." in result.stderr


def test_development_mode_starts_with_the_development_secret_key():
    result = _manage("check", env={"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_flags_a_weak_secret_key():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION_ENV, "SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_a_typo_in_a_boolean_stops_start_up():
    result = _manage("check", env={"DEBUG": "ture"})
    assert result.returncode != 0
    assert "DEBUG='ture' is not a boolean (use 1 or 0)" in result.stderr


@pytest.mark.parametrize("value, expected", [("1", True), ("true", True), ("ON", True), ("0", False), ("no", False), ("", False)])
def test_env_bool_reads_common_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("PORTAL_TEST_FLAG", value)
    assert env_bool("PORTAL_TEST_FLAG", not expected) is expected


def test_env_int_and_env_list(monkeypatch):
    monkeypatch.setenv("PORTAL_TEST_INT", "12")
    monkeypatch.setenv("PORTAL_TEST_LIST", " a.org, b.org ,,")
    assert env_int("PORTAL_TEST_INT", 1) == 12
    assert env_list("PORTAL_TEST_LIST", "") == ["a.org", "b.org"]
    monkeypatch.setenv("PORTAL_TEST_INT", "twelve")
    with pytest.raises(ImproperlyConfigured, match="PORTAL_TEST_INT='twelve' is not an integer"):
        env_int("PORTAL_TEST_INT", 1)


def test_database_url_selects_postgresql():
    env = {"DEBUG": "1", "DATABASE_URL": "postgres://portal:secret@db.example.org:5433/portal"}
    code = "from django.conf import settings; d = settings.DATABASES['default']; print(d['ENGINE'], d['HOST'], d['PORT'], d['NAME'])"
    result = subprocess.run(
        [sys.executable, "-c", f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='portal.settings'; django.setup(); {code}"],
        cwd=settings.BASE_DIR, env={**os.environ, **env}, capture_output=True, text=True, timeout=60,
    )
    assert result.stdout.split() == ["django.db.backends.postgresql", "db.example.org", "5433", "portal"]


def test_collectstatic_writes_hashed_and_compressed_files(tmp_path):
    result = _manage("collectstatic", "--noinput", env={**PRODUCTION_ENV, "STATIC_ROOT": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    css = sorted(path.name for path in (tmp_path / "css").iterdir() if path.name.startswith("portal."))
    hashed = [name for name in css if name.count(".") == 2 and name.endswith(".css")]
    assert hashed, css
    assert f"{hashed[0]}.gz" in css  # compressed beside the hashed name
    assert (tmp_path / "staticfiles.json").exists()


def test_production_responses_carry_security_headers(wpsr, client, settings):
    settings.SECURE_SSL_REDIRECT = True
    insecure = client.get("/findings/")
    assert insecure.status_code == 301
    assert insecure["Location"] == "https://testserver/findings/"
    secure = client.get("/findings/", secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert secure["X-Content-Type-Options"] == "nosniff"
    assert secure["X-Frame-Options"] == "DENY"
    assert secure["Referrer-Policy"] == "same-origin"
    assert secure["Cross-Origin-Opener-Policy"] == "same-origin"
