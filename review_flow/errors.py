"""The exception family: one base, a child per seam. Only cli.py turns these into exit codes."""


class ReviewFlowError(Exception):
    """Base of every error review-flow raises on purpose; the message is one line for a person."""

    hint: str = ""


class ExtractionError(ReviewFlowError):
    """A file could not be turned into text (unsupported, corrupt, encrypted, hostile, too big)."""

    def __init__(self, path: str, reason: str, hint: str = "") -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
        self.hint = hint

    def __reduce__(self) -> tuple[type, tuple[str, str, str]]:
        # NOTE: errors cross the process boundary of the sandbox; the default pickling would
        # call __init__ with the formatted message only.
        return (type(self), (self.path, self.reason, self.hint))


class RulesError(ReviewFlowError):
    """A rules file is malformed: named file and rule id in the message, raised at load time."""


class Refused(ReviewFlowError):
    """An action was refused (a guard, a role, a race lost): exit status 1, and it is recorded."""


class TransitionRefused(Refused):
    """The workflow does not allow this trigger now; the message says why."""


class AccessDenied(Refused):
    """Unknown user, missing role, or the four-eyes rule."""


class StoreError(ReviewFlowError):
    """The database could not do what was asked (not found, not initialised, changed under us)."""


class ConcurrentChange(Refused):
    """Someone else changed the document between our read and our write."""


class AuditError(ReviewFlowError):
    """The audit log cannot be written or verified (missing key, broken chain)."""


class OaPushError(ReviewFlowError):
    """Delivery to the OA filing system failed."""
