import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 20 + "-dummy-production-secret-for-the-check-0123456789abcdef",
        "CENSUS_HMAC_KEY": "c" * 40,
        "ALLOWED_HOSTS": "partnercity.example.org",
        "DATABASE_URL": "postgres://user:pass@db.invalid:5432/partnercity",
        "REDIS_URL": "redis://redis.invalid:6379/0",
        "SITE_URL": "https://partnercity.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_secrets():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "CENSUS_HMAC_KEY", "DATABASE_URL")
    }
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_check_deploy_fails_without_the_sites_address():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 20 + "-dummy-production-secret-for-the-check-0123456789abcdef",
        "CENSUS_HMAC_KEY": "c" * 40,
        "ALLOWED_HOSTS": "partnercity.example.org",
        "DATABASE_URL": "postgres://user:pass@db.invalid:5432/partnercity",
        "REDIS_URL": "redis://redis.invalid:6379/0",
    }
    env.pop("SITE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "core.E001" in result.stdout + result.stderr
