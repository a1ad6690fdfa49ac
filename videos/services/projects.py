"""A creator's projects (folders of videos)."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError

from videos.models import Project

logger = logging.getLogger(__name__)


def project_get_or_create(*, owner, name: str) -> Project:
    """The owner's project with this name, made if it does not exist yet."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"project": "Give the project a name."})
    if len(name) > 120:
        raise ValidationError({"project": "A project name is at most 120 characters."})
    project = Project.objects.filter(owner=owner, name__iexact=name).first()
    if project is None:
        project = Project.objects.create(owner=owner, name=name)
    return project


def _project_name_errors(*, owner, name: str, exclude_pk: int | None = None) -> tuple[str, str | None]:
    name = " ".join((name or "").split())
    if not name:
        return name, "Give the project a name."
    if len(name) > 120:
        return name, "A project name is at most 120 characters."
    clash = Project.objects.filter(owner=owner, name__iexact=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        return name, f"You already have a project called {name!r}."
    return name, None


def project_create(*, owner, name: str) -> Project:
    """A new project; the name must be new among the owner's projects."""
    name, error = _project_name_errors(owner=owner, name=name)
    if error:
        raise ValidationError({"name": error})
    return Project.objects.create(owner=owner, name=name)


def project_rename(*, project: Project, name: str) -> Project:
    name, error = _project_name_errors(owner=project.owner, name=name, exclude_pk=project.pk)
    if error:
        raise ValidationError({"name": error})
    project.name = name
    project.save(update_fields=["name"])
    return project


def project_delete(*, project: Project) -> None:
    """Delete a project; its videos stay, outside any project."""
    project.delete()
