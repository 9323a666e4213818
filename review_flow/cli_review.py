"""Workflow commands: init, users, submit, list, show, findings, dispose, approve … withhold.

Each command is a thin call into one Services method; errors become one line and an exit code
(1 refused, 2 usage or input error).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from review_flow.errors import Refused, ReviewFlowError

EXIT_OK, EXIT_REFUSED, EXIT_ERROR = 0, 1, 2

Format = Annotated[str, typer.Option("--format", "-f", help="text or json")]
DocId = Annotated[int, typer.Argument(help="Document id (from submit or list).")]
Reason = Annotated[str, typer.Option(help="Why it goes back to the clerk.")]


@contextlib.contextmanager
def outcome() -> Iterator[None]:
    """Map errors to one line on stderr and the documented exit status."""
    from review_flow.cli import fail

    try:
        yield
    except Refused as exc:
        fail(f"refused: {exc}", exc.hint)
        raise typer.Exit(EXIT_REFUSED) from None
    except ReviewFlowError as exc:
        fail(str(exc), exc.hint)
        raise typer.Exit(EXIT_ERROR) from None


def services(ctx: typer.Context) -> Any:
    from review_flow import audit, store
    from review_flow.extract.limits import Limits
    from review_flow.scan.rules import default_rules_dir
    from review_flow.services import Services, Settings

    state = ctx.find_root().obj or {}
    url = store.database_url(state.get("db"))
    engine = store.make_engine(url)
    if store.schema_revision(engine) is None:
        raise_error(f"no review-flow database at {url}: run `review-flow init --admin NAME` first")
    keys = audit.load_keys(audit.key_dir(url))
    return Services(
        Settings(
            engine=engine,
            keys=keys,
            rules_dirs=(str(default_rules_dir()),),
            limits=Limits.from_env(),
            requested_user=state.get("user") or os.environ.get("REVIEW_FLOW_USER"),
        )
    )


def raise_error(message: str) -> None:
    from review_flow.errors import StoreError

    raise StoreError(message)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n")


def register(app: typer.Typer) -> None:
    users = typer.Typer(help="Users and their roles (admin).", no_args_is_help=True)
    app.add_typer(users, name="users")

    @app.command()
    def init(
        ctx: typer.Context,
        admin: Annotated[str | None, typer.Option(help="Name of the first admin.")] = None,
        demo: Annotated[
            bool, typer.Option("--demo", help="Demo/test database: --as NAME is honoured.")
        ] = False,
        org_code: Annotated[
            str | None, typer.Option(help="Organisation code for 索引号 (统一社会信用代码).")
        ] = None,
        publisher_org: Annotated[str | None, typer.Option(help="发布机构 in records.")] = None,
        topics: Annotated[
            str | None, typer.Option(help="主题分类, comma-separated (first is default).")
        ] = None,
    ) -> None:
        """Create or upgrade the database and the audit keys; create the first admin.

        Example: review-flow init --admin 王管理
        """
        from review_flow import audit, store
        from review_flow.services import initialize

        with outcome():
            url = store.database_url((ctx.find_root().obj or {}).get("db"))
            folder = audit.key_dir(url)
            chosen = {"org_code": org_code, "publisher_org": publisher_org, "topics": topics}
            settings = {k: v for k, v in chosen.items() if v}
            revision = initialize(store.make_engine(url), folder, admin, demo, settings)
            typer.echo(f"database ready at schema {revision}: {url}")
            typer.echo(f"audit keys in {folder} (public key: {folder / 'audit-signing.pub'})")

    @users.command("add")
    def users_add(
        ctx: typer.Context,
        name: Annotated[str, typer.Argument(help="Login name (OS account or database login).")],
        role: Annotated[
            list[str],
            typer.Option("--role", "-r", help="clerk, reviewer, publisher, inspector or admin"),
        ],
    ) -> None:
        """Add a user or give them more roles.

        Example: review-flow users add 李审查 --role reviewer
        """
        from review_flow.identity import Role

        with outcome():
            try:
                roles = [Role(r) for r in role]
            except ValueError as exc:
                raise_error(f"{exc}; roles are {', '.join(r.value for r in Role)}")
            user = services(ctx).add_user(name, roles)
            typer.echo(f"{user.name}: {user.roles}")

    @users.command("list")
    def users_list(ctx: typer.Context) -> None:
        """List users and their roles.

        Example: review-flow users list
        """
        with outcome():
            for user in services(ctx).list_users():
                typer.echo(f"{user.name}\t{user.roles}\t{'active' if user.active else 'inactive'}")

    @app.command()
    def submit(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="The .docx/.pdf/.txt to release.")],
        title: Annotated[str | None, typer.Option(help="Title (default: from the head).")] = None,
        format: Format = "text",
    ) -> None:
        """Submit a document for the secrecy review (clerk); prints the new document id.

        Example: review-flow submit 关于开展审计工作的通知.docx
        """
        with outcome():
            doc, report = services(ctx).submit(file, title)
            if format == "json":
                emit_json(
                    {
                        "id": doc.id,
                        "state": doc.state,
                        "verdict": str(report.verdict),
                        "findings": len(report.findings),
                    }
                )
            else:
                typer.echo(doc.id)
                typer.echo(f"scan: {report.verdict}, {len(report.findings)} finding(s)", err=True)

    @app.command("list")
    def list_(
        ctx: typer.Context,
        state: Annotated[str | None, typer.Option(help="Only documents in this state.")] = None,
        mine: Annotated[bool, typer.Option("--mine", help="Only documents I submitted.")] = False,
        limit: Annotated[int, typer.Option(help="At most this many (newest first).")] = 50,
        format: Format = "text",
    ) -> None:
        """List documents, newest first.

        Example: review-flow list --state drafted
        """
        from review_flow import review_report

        with outcome():
            docs = services(ctx).list_documents(state, mine, limit)
            if format == "json":
                emit_json([review_report.document_json(d) for d in docs])
            else:
                review_report.print_list(docs)

    @app.command()
    def show(ctx: typer.Context, doc: DocId, format: Format = "text") -> None:
        """Show a document: head metadata, state, versions, findings and history.

        Example: review-flow show 12
        """
        from review_flow import review_report

        with outcome():
            data = services(ctx).show(doc)
            if format == "json":
                emit_json(review_report.show_json(data))
            else:
                review_report.print_show(data)

    @app.command()
    def findings(
        ctx: typer.Context,
        doc: DocId,
        reveal: Annotated[bool, typer.Option("--reveal", help="Unmasked (recorded).")] = False,
        format: Format = "text",
    ) -> None:
        """Show each finding of the current version in context, with its disposition.

        Example: review-flow findings 12
        """
        from review_flow import review_report

        with outcome():
            rows = services(ctx).findings(doc, reveal)
            if format == "json":
                emit_json(rows)
            else:
                review_report.print_findings(rows)

    @app.command()
    def dispose(
        ctx: typer.Context,
        doc: DocId,
        finding: Annotated[list[int] | None, typer.Argument(help="Finding ids.")] = None,
        confirm: Annotated[bool, typer.Option("--confirm", help="It is real.")] = False,
        dismiss: Annotated[bool, typer.Option("--dismiss", help="Not a problem here.")] = False,
        carry_over: Annotated[
            bool, typer.Option("--carry-over", help="Dismiss again what was dismissed before.")
        ] = False,
        reason: Annotated[str, typer.Option(help="Why (required to dismiss).")] = "",
    ) -> None:
        """Decide on findings: --confirm or --dismiss --reason; --carry-over after a revision.

        Example: review-flow dispose 12 3 4 --dismiss --reason "办公电话，公开联系方式"
        """
        with outcome():
            svc = services(ctx)
            if carry_over:
                rows = svc.carry_over(doc)
            else:
                if confirm == dismiss or not finding:
                    raise_error("give finding ids and exactly one of --confirm / --dismiss")
                rows = svc.dispose(
                    doc, finding or [], "confirmed" if confirm else "dismissed", reason
                )
            typer.echo(f"{len(rows)} finding(s) decided")

    @app.command()
    def approve(ctx: typer.Context, doc: DocId) -> None:
        """Approve the secrecy review (reviewer, not the submitter).

        Example: review-flow approve 12
        """
        with outcome():
            typer.echo(f"document {doc}: {services(ctx).approve(doc).state}")

    def _reject(ctx: typer.Context, doc: int, reason: str) -> None:
        with outcome():
            typer.echo(f"document {doc}: {services(ctx).reject(doc, reason).state}")

    @app.command()
    def reject(ctx: typer.Context, doc: DocId, reason: Reason = "") -> None:
        """Return the document to its clerk with a reason (reviewer).

        Example: review-flow reject 12 --reason "第3页有身份证号"
        """
        _reject(ctx, doc, reason)

    @app.command("return")
    def return_(ctx: typer.Context, doc: DocId, reason: Reason = "") -> None:
        """Alias of reject.

        Example: review-flow return 12 --reason "请删除附件中的联系人手机号"
        """
        _reject(ctx, doc, reason)

    @app.command()
    def revise(
        ctx: typer.Context,
        doc: DocId,
        file: Annotated[Path, typer.Argument(help="The new version of the file.")],
    ) -> None:
        """Submit a new version (clerk): new scan, the earlier review does not carry over.

        Example: review-flow revise 12 通知-修改稿.docx
        """
        with outcome():
            document, report, matches = services(ctx).revise(doc, file)
            typer.echo(
                f"document {doc}: version {document.current_version}, "
                f"scan {report.verdict}, {len(report.findings)} finding(s)"
            )
            if matches:
                ids = " ".join(str(m.id) for m in matches)
                typer.echo(f"{len(matches)} finding(s) match ones dismissed before: {ids}")
                typer.echo(
                    f"a reviewer can dismiss them again with: review-flow dispose {doc} "
                    "--carry-over"
                )

    @app.command()
    def attribute(
        ctx: typer.Context,
        doc: DocId,
        value: Annotated[
            str, typer.Argument(help="主动公开|依申请公开|不予公开 (public, on-request, withheld)")
        ],
        reason: Annotated[str, typer.Option(help="Legal reason (required for 不予公开).")] = "",
        topic: Annotated[str | None, typer.Option(help="主题分类 of the record.")] = None,
    ) -> None:
        """Set the disclosure attribute (公开属性) (publisher).

        Example: review-flow attribute 12 不予公开 --reason 个人隐私
        """
        with outcome():
            document = services(ctx).set_attribute(doc, value, reason, topic)
            typer.echo(f"document {doc}: {document.state} ({document.attribute})")

    @app.command()
    def publish(
        ctx: typer.Context,
        doc: DocId,
        topic: Annotated[str | None, typer.Option(help="主题分类 of the record.")] = None,
        title: Annotated[str | None, typer.Option(help="Title for the record.")] = None,
    ) -> None:
        """Publish a 主动公开 document (publisher, not the submitter; bytes as reviewed).

        Writes its catalogue record (索引号) and queues the OA push in the same transaction.

        Example: review-flow publish 12 --topic 综合政务
        """
        with outcome():
            typer.echo(f"document {doc}: {services(ctx).publish(doc, topic, title).state}")

    @app.command()
    def push(
        ctx: typer.Context,
        watch: Annotated[
            bool, typer.Option("--watch", help="Keep delivering until Ctrl-C.")
        ] = False,
        once: Annotated[bool, typer.Option("--once", help="One pass (the default).")] = False,
        limit: Annotated[int, typer.Option(help="At most this many messages a pass.")] = 50,
        show_status: Annotated[bool, typer.Option("--status", help="Show the outbox.")] = False,
        retry: Annotated[int | None, typer.Option(help="Requeue this message now.")] = None,
        interval: Annotated[float, typer.Option(help="Seconds between passes (--watch).")] = 5.0,
    ) -> None:
        """Deliver queued documents to the OA filing system (OA备案系统).

        Target: REVIEW_FLOW_OA_URL (HTTP, with REVIEW_FLOW_OA_TOKEN), else the drop folder
        REVIEW_FLOW_OA_DIR. Exit 1 when a delivery failed in this pass.

        Example: review-flow push --once
        """
        import time

        from review_flow import audit, delivery, oa, store

        with outcome():
            svc = services(ctx)
            if show_status:
                for m in delivery.status(svc):
                    typer.echo(f"{m['id']:>5} doc {m['document']:>5} {m['index_no']} {m['status']}"
                               f" attempts {m['attempts']} {m['last_error'] or ''}")  # fmt: skip
                return
            url = store.database_url((ctx.find_root().obj or {}).get("db"))
            target = oa.target_from_env(audit.key_dir(url).parent / "oa-drop")
            base = float(os.environ.get("REVIEW_FLOW_PUSH_BACKOFF", "2"))
            pusher = delivery.Pusher(svc, target, base)
            if retry is not None:
                pusher.retry(retry)
                typer.echo(f"message {retry} queued again")
                return
            failed = 0
            while True:
                for r in pusher.run_once(limit):
                    failed += not r.delivered
                    mark = "delivered" if r.delivered else "failed"
                    typer.echo(f"message {r.message} (document {r.document}): {mark}: {r.detail}")
                if not watch or once:
                    break
                time.sleep(interval)
            if failed:
                raise typer.Exit(EXIT_REFUSED)

    @app.command()
    def withhold(ctx: typer.Context, doc: DocId) -> None:
        """Close a 不予公开 document: nothing leaves the agency (publisher).

        Example: review-flow withhold 12
        """
        with outcome():
            typer.echo(f"document {doc}: {services(ctx).withhold(doc).state}")
