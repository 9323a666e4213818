"""What awaits me, by the roles I hold: a reviewer sees documents others submitted for the
secrecy review, a publisher what passed it, a clerk what came back to them."""

from __future__ import annotations

from dataclasses import replace

from review_flow import store
from review_flow.identity import Role
from review_flow.store.queue import Filters
from review_flow.usecases.frame import Act, Frame
from review_flow.usecases.views import DocumentView, Waiting
from review_flow.workflow import Stage


def turns(me: str, held: set[str]) -> list[tuple[str, Filters]]:
    """(role, what that role of mine waits on); the four-eyes rule leaves out my own versions."""
    found = []
    if Role.REVIEWER in held:
        found.append(("reviewer", Filters(states=(Stage.DRAFTED,), not_submitted_by=me)))
    if Role.PUBLISHER in held:
        found.append(("publisher", Filters(
            states=(Stage.SECRECY_CHECKED, Stage.ATTRIBUTE_SET), not_submitted_by=me)))  # fmt: skip
    if Role.CLERK in held:
        found.append(("clerk", Filters(states=(Stage.RETURNED,), clerk=me)))
    return found


class Queue(Frame):
    def queue(self, limit: int = 200) -> list[Waiting]:
        """Documents waiting on me, longest-waiting first."""

        def body(act: Act) -> list[Waiting]:
            user = store.people.user_named(act.session, act.actor.name)
            held = user.role_set if user else set()
            rows: dict[int, Waiting] = {}
            for role, filters in turns(act.actor.name, held):
                for listed in store.queue.listing(act.session, replace(filters, limit=limit)):
                    view = DocumentView.listed(listed)
                    rows.setdefault(view.id, Waiting(view, role, listed.document.updated_at))
            return sorted(rows.values(), key=lambda w: (w.since, w.document.id))

        return self.run("queue", (), body)
