"""Settings readers: defaults when absent, a clear ImproperlyConfigured when malformed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from contentizer_site.env import env_bool, env_choice, env_int, env_list


def test_absent_variables_give_the_embedded_defaults(monkeypatch):
    monkeypatch.delenv("CZ_TEST", raising=False)
    assert env_bool("CZ_TEST", True) is True
    assert env_int("CZ_TEST", 7) == 7
    assert env_list("CZ_TEST", ["a"]) == ["a"]
    assert env_choice("CZ_TEST", "local", {"local", "s3"}) == "local"


@pytest.mark.parametrize(
    ("reader", "value"),
    [
        (lambda: env_bool("CZ_TEST"), "maybe"),
        (lambda: env_int("CZ_TEST", 1), "ten"),
        (lambda: env_int("CZ_TEST", 1, minimum=5), "3"),
        (lambda: env_choice("CZ_TEST", "local", {"local", "s3"}), "ftp"),
    ],
)
def test_malformed_values_stop_start_up_naming_the_variable(monkeypatch, reader, value):
    monkeypatch.setenv("CZ_TEST", value)
    with pytest.raises(ImproperlyConfigured, match="CZ_TEST"):
        reader()


def test_values_are_parsed(monkeypatch):
    monkeypatch.setenv("CZ_TEST", " Yes ")
    assert env_bool("CZ_TEST") is True
    monkeypatch.setenv("CZ_TEST", "a, b,,c")
    assert env_list("CZ_TEST", []) == ["a", "b", "c"]


def test_queue_timeout_is_below_retry_and_attempts_are_bounded(settings):
    assert settings.Q_CLUSTER["timeout"] < settings.Q_CLUSTER["retry"]
    assert settings.Q_CLUSTER["max_attempts"] > 0


def test_settings_refuse_a_retry_not_above_the_timeout():
    import os
    import subprocess
    import sys

    env = {**os.environ, "Q_TIMEOUT": "600", "Q_RETRY": "600"}
    result = subprocess.run(
        [sys.executable, "-c", "import contentizer_site.settings"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "Q_RETRY must be greater than Q_TIMEOUT" in result.stderr
