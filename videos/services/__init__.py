"""Video domain services: every entry point (pages, API, admin, commands, tasks) calls these.

Keyword-only, typed. Bad input raises django.core.exceptions.ValidationError (a 400 with
field messages), PermissionDenied (403) or core.errors.Conflict (409) before anything is
written. One module per concern; this package re-exports the public services so an entry
point imports them from one place. Modules inside the package import each other by their
full names, never through this file.
"""

from __future__ import annotations

from videos.services.approval import approval_withdraw, storyboard_approve, storyboard_reject, storyboard_staff_approve
from videos.services.artwork import scene_artwork_choose, scene_picture_candidates
from videos.services.aspects import master_render_request, video_aspects_set
from videos.services.batches import BatchInvalid, batch_create, batch_create_from_file
from videos.services.caption_presets import caption_preset_delete, caption_preset_save
from videos.services.costs import storyboard_estimate_cost, video_estimated_cost
from videos.services.creation import picture_seed, video_create, video_create_errors, video_options_errors
from videos.services.lifecycle import video_delete, video_job_finished, video_job_retried
from videos.services.pictures import scene_warning_merge, storyboard_make_pictures
from videos.services.projects import project_create, project_delete, project_get_or_create, project_rename
from videos.services.render import (
    QUALITY_RANK,
    export_request,
    export_run,
    exports_expire,
    master_render_run,
    render_part_run,
    render_request,
    render_run,
)
from videos.services.scene_media import (
    scene_remove_clip,
    scene_set_clip_audio,
    scene_upload_clip,
    scene_upload_narration,
    scene_use_clip,
    scene_use_narration,
    scene_use_speech,
    scene_use_stock,
)
from videos.services.scenes import (
    generated_assets_delete,
    scene_add,
    scene_delete,
    scene_move,
    scene_refine_picture,
    scene_replace_picture,
    scene_update,
    scene_upload_picture,
    scenes_reorder,
    storyboard_refresh,
    storyboard_require_editable,
)
from videos.services.storyboard_document import storyboard_document
from videos.services.storyboard_job import storyboard_run
from videos.services.voiceover import video_use_voiceover

__all__ = [
    "storyboard_estimate_cost",
    "video_estimated_cost",
    "picture_seed",
    "exports_expire",
    "video_options_errors",
    "video_aspects_set",
    "video_create",
    "video_create_errors",
    "BatchInvalid",
    "batch_create",
    "batch_create_from_file",
    "approval_withdraw",
    "storyboard_approve",
    "storyboard_staff_approve",
    "storyboard_reject",
    "storyboard_make_pictures",
    "scene_warning_merge",
    "storyboard_refresh",
    "storyboard_require_editable",
    "scene_update",
    "scene_add",
    "scene_delete",
    "scene_move",
    "scene_refine_picture",
    "generated_assets_delete",
    "scene_replace_picture",
    "scene_upload_picture",
    "scenes_reorder",
    "scene_use_clip",
    "scene_upload_clip",
    "scene_set_clip_audio",
    "scene_remove_clip",
    "scene_use_narration",
    "scene_upload_narration",
    "scene_use_speech",
    "scene_use_stock",
    "storyboard_run",
    "video_use_voiceover",
    "storyboard_document",
    "scene_artwork_choose",
    "scene_picture_candidates",
    "QUALITY_RANK",
    "master_render_request",
    "master_render_run",
    "render_request",
    "render_part_run",
    "render_run",
    "export_request",
    "export_run",
    "video_job_finished",
    "video_job_retried",
    "video_delete",
    "project_get_or_create",
    "project_create",
    "project_rename",
    "project_delete",
    "caption_preset_save",
    "caption_preset_delete",
]
