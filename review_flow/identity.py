"""Who is acting: the OS account (SQLite) or the database login (PostgreSQL), never $USER.

`--as NAME` / `REVIEW_FLOW_USER` are honoured only in a database created with
`review-flow init --demo`, and every event records how the identity was established.
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session

from review_flow.errors import AccessDenied
from review_flow.store.people import database_login, setting


class Role(StrEnum):
    CLERK = "clerk"  # 拟稿人
    REVIEWER = "reviewer"  # 保密审查人
    PUBLISHER = "publisher"  # 信息公开专员
    INSPECTOR = "inspector"  # 检查人员
    ADMIN = "admin"


class Source(StrEnum):
    OS_USER = "os-user"
    DB_LOGIN = "db-login"
    DEMO = "demo-override"
    UNGRANTED = "override-refused"  # recorded on the refusal of an --as outside demo mode


@dataclass(frozen=True, slots=True)
class Actor:
    name: str
    source: Source


def establish(session: Session, requested: str | None) -> Actor:
    """The acting user for this process and database."""
    if requested:
        if setting(session, "mode") != "demo":
            raise AccessDenied(
                "--as / REVIEW_FLOW_USER work only in a demo database (review-flow init --demo); "
                "here your identity is your operating-system account or database login"
            )
        return Actor(requested, Source.DEMO)
    login = database_login(session)
    if login is None:
        return Actor(pwd.getpwuid(os.getuid()).pw_name, Source.OS_USER)
    return Actor(login, Source.DB_LOGIN)
