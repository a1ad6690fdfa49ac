"""Which assets a person may see and use: one answer for pages, the API, admin and services."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from assets.models import MediaAsset


def assets_usable_by(user_or_id) -> QuerySet[MediaAsset]:
    """What may go into this user's videos: their own assets and the stock library."""
    user_id = getattr(user_or_id, "pk", user_or_id)
    return MediaAsset.objects.filter(Q(owner_id=user_id) | Q(source=MediaAsset.Source.STOCK))


def asset_usable_by(user_or_id, code) -> MediaAsset | None:
    """One asset this user may use, by code (None for anything else, or a bad code)."""
    return assets_usable_by(user_or_id).filter(code=code).first()


def asset_is_usable_by(asset: MediaAsset, user_or_id) -> bool:
    user_id = getattr(user_or_id, "pk", user_or_id)
    return asset.owner_id == user_id or asset.source == MediaAsset.Source.STOCK


def assets_visible_to(user) -> QuerySet[MediaAsset]:
    """What this user may look at: what they may use, and everything for staff."""
    if user.is_staff:
        return MediaAsset.objects.all()
    return assets_usable_by(user)


def assets_uploaded_by(user) -> QuerySet[MediaAsset]:
    """The user's own uploads ("My media")."""
    return MediaAsset.objects.filter(owner=user, source=MediaAsset.Source.UPLOADED)


def stock_library() -> QuerySet[MediaAsset]:
    return MediaAsset.objects.filter(source=MediaAsset.Source.STOCK)
