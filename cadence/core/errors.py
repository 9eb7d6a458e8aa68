"""Domain errors. Views turn them into form errors, 4xx responses or messages."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused an operation. `message` is safe to show to the user."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409


class InvalidInput(DomainError):
    status_code = 422


class FieldError(InvalidInput):
    """Bad input for one field of a form (or the form as a whole when `field` is None); nothing was changed."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
