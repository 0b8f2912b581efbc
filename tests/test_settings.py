"""Start-up configuration: strict environment parsing and a clean deployment check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from vivreensemble.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    unset = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_bad_values_are_clear_errors(monkeypatch):
    monkeypatch.setenv("DEBUG", "peut-être")
    with pytest.raises(ImproperlyConfigured, match="DEBUG must be a boolean"):
        env_bool("DEBUG", False)
    monkeypatch.setenv("CONN_MAX_AGE", "dix")
    with pytest.raises(ImproperlyConfigured, match="CONN_MAX_AGE must be an integer"):
        env_int("CONN_MAX_AGE", 0)
    monkeypatch.setenv("ALLOWED_HOSTS", " a.fr, b.fr ,")
    assert env_list("ALLOWED_HOSTS", []) == ["a.fr", "b.fr"]


def test_production_without_secret_key_refuses_to_start(tmp_path):
    result = run_manage("check", env={"DEBUG": "false", "VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_unknown_database_url_refuses_to_start(tmp_path):
    result = run_manage(
        "check",
        env={"DEBUG": "true", "DATABASE_URL": "mysql://x@y/z", "VAR_DIR": str(tmp_path)},
    )
    assert result.returncode != 0
    assert "DATABASE_URL must be a sqlite:// or postgres:// URL" in result.stderr


def test_check_deploy_is_clean_with_production_values(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DEBUG": "false",
            "SECRET_KEY": "x7#kP2!vQ9@mZ4$wL8^rT1&yN6*bH3(jD5)fG0-sA2+cE9=uI4_oK7",
            "ALLOWED_HOSTS": "concertation.example.fr",
            "SECURE_HSTS_PRELOAD": "true",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
            "VAR_DIR": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout
