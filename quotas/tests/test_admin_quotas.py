"""Quotas in admin: "Add quota" for a user who already has a row, and storage limits typed
as a number and a unit."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from quotas.admin import size_in_units
from quotas.models import Quota, SiteSettings
from quotas.services import quota_check


def _quota_form(user, **values) -> dict:
    data = {
        "user": user.pk,
        "videos_per_day": "",
        "render_minutes_per_month": "",
        "storage_bytes_0": "",
        "storage_bytes_1": "GB",
        "concurrent_jobs": "",
    }
    data.update(values)
    return data


def test_adding_a_quota_for_a_user_who_has_a_row_saves_on_that_row(staff_client, owner):
    with transaction.atomic():
        quota_check(user=owner, videos=1)  # what any first video does: it creates the row
    existing = Quota.objects.get(user=owner)

    response = staff_client.post(reverse("admin:quotas_quota_add"), _quota_form(owner, videos_per_day="3"), follow=True)

    assert Quota.objects.filter(user=owner).count() == 1
    assert Quota.objects.get(user=owner).pk == existing.pk
    assert Quota.objects.get(user=owner).videos_per_day == 3
    html = response.content.decode()
    assert "already exists" not in html
    assert "already had a quota row" in html
    assert response.redirect_chain[-1][0] == reverse("admin:quotas_quota_change", args=[existing.pk])


def test_a_storage_limit_typed_in_gigabytes_is_stored_in_bytes(staff_client, owner):
    staff_client.post(
        reverse("admin:quotas_quota_add"), _quota_form(owner, storage_bytes_0="1.5", storage_bytes_1="GB")
    )

    assert Quota.objects.get(user=owner).storage_bytes == 1536 * 1024**2


def test_a_blank_storage_limit_means_the_site_default(staff_client, owner):
    staff_client.post(reverse("admin:quotas_quota_add"), _quota_form(owner, videos_per_day="2"))

    assert Quota.objects.get(user=owner).storage_bytes is None


def test_the_quota_page_shows_a_stored_limit_as_a_number_and_a_unit(staff_client, owner):
    quota = Quota.objects.create(user=owner, storage_bytes=500 * 1024**2)

    html = staff_client.get(reverse("admin:quotas_quota_change", args=[quota.pk])).content.decode()

    assert 'name="storage_bytes_0" value="500"' in html
    assert '<option value="MB" selected>MB</option>' in html


def test_the_site_default_storage_is_typed_with_a_unit(staff_client):
    site = SiteSettings.load()
    url = reverse("admin:quotas_sitesettings_change", args=[site.pk])
    assert 'name="storage_bytes_0" value="5"' in staff_client.get(url).content.decode()

    staff_client.post(
        url,
        {
            "videos_per_day": "20",
            "render_minutes_per_month": "120",
            "storage_bytes_0": "2",
            "storage_bytes_1": "TB",
            "concurrent_jobs": "5",
        },
    )

    assert SiteSettings.load().storage_bytes == 2 * 1024**4


def test_the_site_default_storage_cannot_be_left_blank(staff_client):
    site = SiteSettings.load()
    url = reverse("admin:quotas_sitesettings_change", args=[site.pk])

    response = staff_client.post(
        url,
        {"videos_per_day": "20", "render_minutes_per_month": "120", "storage_bytes_0": "", "concurrent_jobs": "5"},
    )

    assert response.status_code == 200
    assert "Give a size, for example 5 GB." in response.content.decode()
    assert SiteSettings.load().storage_bytes == 5 * 1024**3


@pytest.mark.parametrize(
    ("size", "shown"),
    [(5 * 1024**3, ("5", "GB")), (1536 * 1024**2, ("1.5", "GB")), (300 * 1024**2, ("300", "MB"))],
)
def test_sizes_show_in_the_largest_unit_that_keeps_them_exact(size, shown):
    number, unit = size_in_units(size)
    assert (str(number), unit) == shown
