from __future__ import annotations

from io import StringIO

from django.contrib.auth import authenticate
from django.core.management import call_command
from django_q.models import Schedule


def test_bootstrap_is_idempotent_and_creates_the_demo_account(db):
    call_command("bootstrap", "--demo", stdout=StringIO())
    call_command("bootstrap", "--demo", stdout=StringIO())
    assert Schedule.objects.filter(name="reap stale jobs", func="jobs.tasks.reap_stale_jobs").count() == 1
    assert authenticate(username="demo", password="contentizer-demo") is not None
