"""Users with their roles, and the database-wide settings."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session, col, select

from review_flow.store.engine import is_sqlite
from review_flow.store.tables import Setting, User


def setting(session: Session, key: str) -> str | None:
    row = session.get(Setting, key)
    return row.value if row else None


def put_setting(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key) or Setting(key=key, value=value)
    row.value = value
    session.add(row)
    session.flush()


def user_named(session: Session, name: str) -> User | None:
    return session.exec(select(User).where(User.name == name)).first()


def users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(User.name)).all())


def an_admin(session: Session) -> User | None:
    return session.exec(select(User).where(col(User.roles).contains("admin"))).first()


def save_user(session: Session, user: User) -> None:
    session.add(user)
    session.flush()


def database_login(session: Session) -> str | None:
    """The login of this connection; None on SQLite, which has no logins."""
    if is_sqlite(session.get_bind()):  # type: ignore[arg-type]
        return None
    return str(session.execute(text("SELECT session_user")).scalar_one())
