"""Use cases, one module each (intake, review, release, outbox, reading, admin), on the frame of
`frame.py`; `App` puts them together. Results are frozen values (`views.py`); nothing here
imports the command line.
"""

from review_flow.usecases.admin import (
    ExportCheck,
    Exported,
    Initialised,
    init,
    initialize,
    verify_export_file,
)
from review_flow.usecases.app import App, open_app
from review_flow.usecases.frame import Act, Frame, Settings
from review_flow.usecases.outbox import OutboxEntry, Pusher, PushResult, default_target, enqueue
from review_flow.usecases.views import (
    DocumentView,
    EventView,
    FindingView,
    Revised,
    Shown,
    Submitted,
    UserView,
    VersionView,
)

__all__ = [
    "Act",
    "App",
    "DocumentView",
    "EventView",
    "ExportCheck",
    "Exported",
    "FindingView",
    "Frame",
    "Initialised",
    "OutboxEntry",
    "PushResult",
    "Pusher",
    "Revised",
    "Settings",
    "Shown",
    "Submitted",
    "UserView",
    "VersionView",
    "default_target",
    "enqueue",
    "init",
    "initialize",
    "open_app",
    "verify_export_file",
]
