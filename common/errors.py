"""The root of every error the app raises on purpose.

Each component derives its own small tree from :class:`AppError` (tickets, storage, the
model, encryption, settings); the UI catches ``AppError`` and shows ``message``, which always
says what happened and what to do next.
"""

from __future__ import annotations


class AppError(Exception):
    """An error with a message a user (or operator) can act on, and a stable ``code``."""

    code = "error"
    # True for errors about one stored document's content (not the configuration): a
    # listing skips such a document instead of failing for everyone
    one_document = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(AppError):
    """A setting is missing or unsafe. The message names the setting to change."""

    code = "config"
