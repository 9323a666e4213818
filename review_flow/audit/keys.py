"""The audit keys: the HMAC chain key and the Ed25519 signing key, kept outside the database.

A plain SHA-256 chain is rewritten by anyone who can write to the database (edit a row,
recompute every later hash); a key kept outside the database stops that.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from review_flow.errors import AuditError


@dataclass(frozen=True)
class Keys:
    """The HMAC chain key, the Ed25519 signing key and where checkpoints are mirrored."""

    hmac_key: bytes
    signing_key: Any  # cryptography Ed25519PrivateKey
    checkpoint_file: Path

    @property
    def folder(self) -> Path:
        """The folder holding the keys and the checkpoint file."""
        return self.checkpoint_file.parent

    @property
    def public_pem(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.signing_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def key_dir(db_url: str) -> Path:
    """`REVIEW_FLOW_HOME`, or a `.review-flow/` folder beside a SQLite file, or ~/.config."""
    home = os.environ.get("REVIEW_FLOW_HOME")
    if home:
        return Path(home)
    if db_url.startswith("sqlite:///") and ":memory:" not in db_url:
        return Path(db_url.removeprefix("sqlite:///")).parent / ".review-flow"
    return Path.home() / ".config" / "review-flow"


def create_keys(folder: Path) -> None:
    """Create missing key files with owner-only permissions (never overwrite one)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    hmac_path, signing_path = folder / "audit.key", folder / "audit-signing.key"
    if not hmac_path.exists() and "REVIEW_FLOW_AUDIT_KEY" not in os.environ:
        _write_private(hmac_path, os.urandom(32).hex().encode())
    if not signing_path.exists():
        private = Ed25519PrivateKey.generate()
        _write_private(
            signing_path,
            private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
        )
        (folder / "audit-signing.pub").write_bytes(
            private.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def load_keys(folder: Path) -> Keys:
    from cryptography.hazmat.primitives import serialization

    raw = os.environ.get("REVIEW_FLOW_AUDIT_KEY")
    try:
        hmac_key = bytes.fromhex(raw or (folder / "audit.key").read_text().strip())
        signing = serialization.load_pem_private_key(
            (folder / "audit-signing.key").read_bytes(), password=None
        )
    except FileNotFoundError as exc:
        raise AuditError(
            f"audit key missing: {exc.filename} (run `review-flow init`, or set "
            "REVIEW_FLOW_HOME to the folder holding the keys)"
        ) from None
    except ValueError as exc:
        raise AuditError(f"audit key unreadable: {exc}") from None
    return Keys(hmac_key, signing, folder / "audit-checkpoints.jsonl")


def load_public_key(path: Path) -> Any:
    from cryptography.hazmat.primitives import serialization

    try:
        return serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise AuditError(f"{path}: not a readable public key ({exc})") from None
