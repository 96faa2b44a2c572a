"""Domain errors with a sentence a person can act on. The API maps them to HTTP status codes."""


class WorkflowError(Exception):
    """Base class. `code` is stable for scripts; the message is for people."""

    code = "workflow_error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code

    def __str__(self) -> str:
        return self.message


class TransitionNotAllowed(WorkflowError):
    code = "transition_not_allowed"
    http_status = 409


class StaleVersion(WorkflowError):
    code = "stale_version"
    http_status = 409


class PermissionDenied(WorkflowError):
    code = "permission_denied"
    http_status = 403


class InvalidInput(WorkflowError):
    code = "invalid"
    http_status = 400
