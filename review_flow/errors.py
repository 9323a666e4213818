"""The exception family: one base, a child per seam. Only cli/support.py turns these into exit
codes: a Refused is 1, a RedactionError 3, every other ReviewFlowError is 2."""


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


class UsageError(ReviewFlowError):
    """The command was given a value or a combination it cannot take (a decision, an attribute,
    a date, a role, a database mode); nothing was read or written."""


class StoreError(ReviewFlowError):
    """The database cannot do what was asked: not initialised, or a row that is not there."""


class NotFound(StoreError):
    """A row named by the caller does not exist (or is not part of what was named with it)."""


class DocumentNotFound(NotFound):
    def __init__(self, doc_id: int) -> None:
        super().__init__(f"no document {doc_id}")
        self.doc_id = doc_id


class FindingNotFound(NotFound):
    """Finding ids that are not findings of the given version."""


class MessageNotFound(NotFound):
    def __init__(self, message_id: int) -> None:
        super().__init__(f"no outbox message {message_id}")
        self.message_id = message_id


class Tampered(Refused):
    """The rows disagree with the audit events that should explain them: someone changed the
    database outside review-flow. The action is refused (and recorded); the hint says what."""

    MESSAGE = "the database was changed outside review-flow: run `audit verify`"

    def __init__(self, problems: list[str]) -> None:
        super().__init__(self.MESSAGE)
        self.problems = problems
        self.hint = "; ".join(problems[:5])


class ConcurrentChange(Refused):
    """Someone else changed the document between our read and our write."""


class DatabaseFault(StoreError):
    """The database failed under us (disk full, read-only, connection lost, locked); the
    transaction was rolled back, so nothing is half-done."""


class AuditError(ReviewFlowError):
    """The audit log cannot be written or verified (missing key, broken chain)."""


class RedactionError(ReviewFlowError):
    """A redaction could not be completed, and nothing was written: a value was left in the
    output (`place` names the part, stream or page), or the file cannot be redacted."""

    def __init__(self, message: str, place: str = "", hint: str = "") -> None:
        super().__init__(message)
        self.place = place
        self.hint = hint

    def __reduce__(self) -> tuple[type, tuple[str, str, str]]:
        return (type(self), (str(self), self.place, self.hint))


class OaPushError(ReviewFlowError):
    """Delivery to the OA filing system failed."""
