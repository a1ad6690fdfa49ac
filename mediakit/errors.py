"""Exceptions raised by the composition package.

Every message is meant to be shown to a user or an operator as is.
"""

from __future__ import annotations


class CompositionError(Exception):
    """Base class: anything that went wrong while composing a video."""


class FFmpegError(CompositionError):
    """FFmpeg (or ffprobe) exited with a non-zero status."""

    def __init__(self, message: str, returncode: int | None = None, stderr_tail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.returncode = returncode
        self.stderr_tail = stderr_tail


class DecodeError(FFmpegError):
    """A full decode of an output reported errors: the file is damaged."""


class FFmpegCanceled(CompositionError):
    """The caller asked to stop; the process group was killed."""


class FFmpegTimeout(CompositionError):
    """The process ran past its time limit; the process group was killed."""


class ProbeError(CompositionError):
    """ffprobe could not read the file, or it is not a usable media file."""


class ValidationFailed(CompositionError):
    """The output was produced but does not meet the contract."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("output failed validation: " + "; ".join(problems))
        self.problems = list(problems)
