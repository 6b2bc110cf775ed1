"""Domain errors: each says plainly what was wrong; raising one means nothing was changed."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every refusal the business makes."""

    code = "domain_error"

    def __init__(self, message: str, **context: object) -> None:
        super().__init__(message)
        self.message = message
        self.context = context


class NotFound(DomainError):
    code = "not_found"


class ValidationFailed(DomainError):
    code = "invalid"


class IllegalTransition(DomainError):
    code = "illegal_transition"


class Conflict(DomainError):
    code = "conflict"
