"""The one error tree. Each class carries its contract code, HTTP status and retryability;
the HTTP layer maps it to the envelope in one place, adapters raise it at their edge."""

from __future__ import annotations

from typing import Any


class FieldedgeError(Exception):
    """Base of every error the API answers with its own envelope."""

    code = "INTERNAL_ERROR"
    status = 500
    retryable = False
    default_message = "Internal error."

    def __init__(
        self,
        message: str | None = None,
        *,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.details = details
        self.headers = headers or {}
        super().__init__(self.message)


class ConfigError(FieldedgeError):
    """Bad configuration: stops the process at start with one readable line."""

    default_message = "Invalid configuration."


class MalformedRequest(FieldedgeError):
    code, status, default_message = "MALFORMED_REQUEST", 400, "The request body is not valid."


class AuthRequired(FieldedgeError):
    code, status, default_message = "AUTH_REQUIRED", 401, "Authentication required."


class InvalidToken(FieldedgeError):
    code, status, default_message = "INVALID_TOKEN", 401, "The token is not valid."


class TokenExpired(FieldedgeError):
    code, status, default_message = "TOKEN_EXPIRED", 401, "The token has expired."


class InvalidCredentials(FieldedgeError):
    code, status, default_message = "INVALID_CREDENTIALS", 401, "Wrong email or password."


class Forbidden(FieldedgeError):
    code, status, default_message = "FORBIDDEN", 403, "You may not do this."


class NotFound(FieldedgeError):
    code, status, default_message = "NOT_FOUND", 404, "Not found."


class MethodNotAllowed(FieldedgeError):
    code, status, default_message = "METHOD_NOT_ALLOWED", 405, "Method not allowed."


class Conflict(FieldedgeError):
    code, status, default_message = "CONFLICT", 409, "Conflict with the current state."


class VersionConflict(Conflict):
    code, default_message = "VERSION_CONFLICT", "The record changed since your base version."


class InvalidStateTransition(Conflict):
    code, default_message = "INVALID_STATE_TRANSITION", "This status change is not allowed."


class IdempotencyInProgress(Conflict):
    code, retryable = "IDEMPOTENCY_IN_PROGRESS", True
    default_message = "A request with this idempotency key is still being processed."


class OutOfOrder(Conflict):
    code, default_message = "OUT_OF_ORDER", "Mutation ids have a gap."


class ResetRequired(Conflict):
    code, default_message = "RESET_REQUIRED", "The cursor is past retention; pull from null."


class PayloadTooLarge(FieldedgeError):
    code, status, default_message = "PAYLOAD_TOO_LARGE", 413, "The request body is too large."


class UnsupportedMediaType(FieldedgeError):
    code, status, default_message = "UNSUPPORTED_MEDIA_TYPE", 415, "Unsupported media type."


class ValidationFailed(FieldedgeError):
    code, status, default_message = "VALIDATION_ERROR", 422, "The request is not valid."


class IdempotencyKeyReused(FieldedgeError):
    code, status = "IDEMPOTENCY_KEY_REUSED", 422
    default_message = "This idempotency key was used for a different request."


class RateLimited(FieldedgeError):
    code, status, retryable, default_message = "RATE_LIMITED", 429, True, "Too many requests."


class DependencyUnavailable(FieldedgeError):
    """A dependency the request needs is down; adapters raise it from driver errors."""

    code, status, retryable = "SERVICE_UNAVAILABLE", 503, True
    default_message = "A service this request needs is unavailable; retry shortly."

    def __init__(self, dependency: str, message: str | None = None, *, retry_after: int = 5):
        super().__init__(message, headers={"Retry-After": str(retry_after)})
        self.dependency = dependency


class InternalError(FieldedgeError):
    """A bug. The envelope says only the request id."""
