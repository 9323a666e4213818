"""Users with their roles, and the database-wide settings.

A user row is written once; every change of roles is a new `role_grant` row (both append-only),
and the newest grant of a user is what they hold.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session, col, select

from review_flow.store.engine import is_sqlite
from review_flow.store.tables import RoleGrant, Setting, User


def setting(session: Session, key: str) -> str | None:
    row = session.get(Setting, key)
    return row.value if row else None


def put_setting(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key) or Setting(key=key, value=value)
    row.value = value
    session.add(row)
    session.flush()


def user_named(session: Session, name: str) -> User | None:
    """The user with the roles of their newest grant (a detached value: never saved back)."""
    row = session.exec(select(User).where(User.name == name)).first()
    return _effective(session, row) if row else None


def _effective(session: Session, row: User) -> User:
    grant = session.exec(
        select(RoleGrant)
        .where(RoleGrant.user_name == row.name)
        .order_by(col(RoleGrant.id).desc())
        .limit(1)
    ).first()
    return User(
        id=row.id,
        name=row.name,
        roles=grant.roles if grant else row.roles,
        active=grant.active if grant else row.active,
        created_at=row.created_at,
    )


def users(session: Session) -> list[User]:
    rows = session.exec(select(User).order_by(User.name)).all()
    return [_effective(session, row) for row in rows]


def an_admin(session: Session) -> User | None:
    return next((u for u in users(session) if "admin" in u.role_set), None)


def save_user(session: Session, user: User, granted_by: str) -> None:
    """Create the user if new, and record their roles as a new grant."""
    if session.exec(select(User).where(User.name == user.name)).first() is None:
        session.add(User(name=user.name, roles=user.roles, active=user.active))
    session.add(
        RoleGrant(user_name=user.name, roles=user.roles, active=user.active, granted_by=granted_by)
    )
    session.flush()


def grants(session: Session) -> list[RoleGrant]:
    """Every role grant, oldest first."""
    return list(session.exec(select(RoleGrant).order_by(col(RoleGrant.id))).all())


def database_login(session: Session) -> str | None:
    """The login of this connection; None on SQLite, which has no logins."""
    if is_sqlite(session.get_bind()):  # type: ignore[arg-type]
        return None
    return str(session.execute(text("SELECT session_user")).scalar_one())
