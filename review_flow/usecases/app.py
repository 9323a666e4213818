"""The application: every use case on one frame, opened from the environment."""

from __future__ import annotations

import os

from review_flow import audit, store
from review_flow.errors import StoreError
from review_flow.extract.limits import Limits
from review_flow.scan.rules import default_rules_dir
from review_flow.usecases.admin import Administration
from review_flow.usecases.correction import Correction
from review_flow.usecases.frame import Settings
from review_flow.usecases.intake import Intake
from review_flow.usecases.outbox import Outbox
from review_flow.usecases.people import People
from review_flow.usecases.queue import Queue
from review_flow.usecases.reading import Reading
from review_flow.usecases.redaction import Redaction
from review_flow.usecases.release import Release
from review_flow.usecases.review import Review


class App(
    Intake, Review, Release, Outbox, Reading, Administration, Correction, Queue, People, Redaction
):
    """All use cases, each from its own module, sharing one Frame (settings, run)."""


def open_app(db: str | None = None, user: str | None = None) -> App:
    """The app on `db` (default `REVIEW_FLOW_DB`) as `user` (`--as`, `REVIEW_FLOW_USER`)."""
    url = store.database_url(db)
    engine = store.make_engine(url)
    if store.schema_revision(engine) is None:
        raise StoreError(
            f"no review-flow database at {url}: run `review-flow init --admin NAME` first"
        )
    return App(
        Settings(
            engine=engine,
            keys=audit.load_keys(audit.key_dir(url)),
            rules_dirs=(str(default_rules_dir()),),
            limits=Limits.from_env(),
            requested_user=user or os.environ.get("REVIEW_FLOW_USER"),
        )
    )
