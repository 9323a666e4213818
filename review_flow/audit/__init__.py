"""The audit log: events chained by a keyed hash, signed checkpoints, verification and export.

An HMAC key kept outside the database stops a rewrite of the chain; Ed25519 checkpoints of the
head, also appended to a file outside the database, catch a cut tail. An inspector verifies an
export with the public key alone. The log decides nothing; its rows are read and written
through store.chain.
"""

from review_flow.audit.chain import (
    HASHED_FIELDS,
    AuditLog,
    canonical,
    checkpoint_message,
    event_hash,
    iso,
    newest_mirrored,
)
from review_flow.audit.export import (
    EXPORT_FIELDS,
    event_row,
    render,
    sign_export,
    verify_export,
    write_export,
)
from review_flow.audit.head import SignedHead, read_head, take_head, write_head
from review_flow.audit.keys import Keys, create_keys, key_dir, load_keys, load_public_key
from review_flow.audit.verification import Verification, verify
from review_flow.store.chain import GENESIS

__all__ = [
    "EXPORT_FIELDS",
    "GENESIS",
    "HASHED_FIELDS",
    "AuditLog",
    "Keys",
    "SignedHead",
    "Verification",
    "canonical",
    "checkpoint_message",
    "create_keys",
    "event_hash",
    "event_row",
    "iso",
    "key_dir",
    "load_keys",
    "load_public_key",
    "newest_mirrored",
    "read_head",
    "render",
    "sign_export",
    "take_head",
    "verify",
    "verify_export",
    "write_export",
    "write_head",
]
