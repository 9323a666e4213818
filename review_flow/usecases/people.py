"""People (admin): deactivate a user, or revoke one of their roles. Both are audited, and a
deactivated user is refused everywhere (`frame.authorise`)."""

from __future__ import annotations

from review_flow import store
from review_flow.errors import NotFound, Refused
from review_flow.identity import Role
from review_flow.store import User
from review_flow.usecases.frame import Act, Frame
from review_flow.usecases.views import UserView


def named(act: Act, name: str) -> User:
    user = store.people.user_named(act.session, name)
    if user is None:
        raise NotFound(f"no user {name!r}")
    return user


def keep_an_admin(act: Act, user: User) -> None:
    """Refused if `user` is the last active admin: nobody could add users after."""
    admins = [u for u in store.people.users(act.session) if u.active and Role.ADMIN in u.role_set]
    if [u.name for u in admins] == [user.name]:
        raise Refused(f"{user.name} is the last admin: add another admin first")


class People(Frame):
    def deactivate(self, name: str) -> UserView:
        """The user keeps their history but may do nothing more."""

        def body(act: Act) -> UserView:
            user = named(act, name)
            if Role.ADMIN in user.role_set:
                keep_an_admin(act, user)
            user.active = False
            store.people.save_user(act.session, user, granted_by=act.actor.name)
            act.event("user_deactivate", details={"user": name, "roles": sorted(user.role_set)})
            return UserView.of(user)

        return self.run("users deactivate", (Role.ADMIN,), body)

    def revoke(self, name: str, role: Role) -> UserView:
        """Take one role from a user."""

        def body(act: Act) -> UserView:
            user = named(act, name)
            before = sorted(user.role_set)
            if role not in user.role_set:
                raise Refused(f"{name} does not hold the role {role}")
            if role is Role.ADMIN:
                keep_an_admin(act, user)
            user.roles = " ".join(r for r in before if r != role)
            store.people.save_user(act.session, user, granted_by=act.actor.name)
            after = user.roles.split()
            act.event("user_roles", details={"user": name, "before": before, "after": after,
                                             "revoked": str(role)})  # fmt: skip
            return UserView.of(user)

        return self.run("users revoke", (Role.ADMIN,), body)
