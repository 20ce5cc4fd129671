"""The background job that builds the files asked for with /xuat and sends them back.

Every few seconds it claims a waiting request (storage/export_requests.py), builds its files
into EXPORT_DIR/<request id>/ off the loop that serves the chats, then in one transaction
queues the messages carrying them and marks the request done. Each message's key is
`export:<id>:<n>`, and finishing checks the run still holds the request's lease: a request
is sent once however many runs see it. On Telegram each file is a document with a one-line
caption; on Zalo, which takes no files, each file is a line of text to which the sender adds
a one-day link (bot/attachments.py). A disclosure also comes as plain text to forward.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine as Database
from sqlmodel import Session

from bot.cli_export import default_file, status_file
from bot.cli_report import disclosure_file
from bot.disclosure_docx import export_disclosure
from bot.ledger_export import export_ledger
from bot.status_export import export_status
from bot.status_report import export_status_report
from handlers.disclosure import disclosure_text
from handlers.export_texts import (
    export_subject,
    failure_text,
    file_title,
    forward_text,
    link_text,
    period_of,
)
from handlers.exports import FILE_CHANNELS
from handlers.file_refs import export_ref
from handlers.i18n import Translator
from handlers.messages import Outbound, Recipient
from handlers.outbox import enqueue
from storage.db import transaction
from storage.export_requests import claim, claimable_requests, mark_done, mark_failed
from storage.models import Directive, ExportKind, ExportRequest, Person, Unit, utcnow
from storage.progress import open_directives

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=10)
"""How long a run may take over one request before another run takes it as abandoned."""
KEEP = dt.timedelta(days=2)
"""How long built files stay: their links live one day, from the moment they are sent."""


@dataclass(frozen=True)
class ExportSetup:
    """Where the files go and what they are dated and headed with."""

    folder: Path
    timezone: str = "Asia/Ho_Chi_Minh"
    commune: str = ""
    """The commune's name for the headings of the DOCX reports (COMMUNE_NAME)."""


@dataclass(frozen=True)
class Job:
    """One request being built: what a file builder reads."""

    session: Session
    request: ExportRequest
    today: dt.date
    zone: ZoneInfo
    folder: Path
    """The request's own folder, EXPORT_DIR/<id>/, already made."""
    commune: str


Builder = Callable[[Job], Path]
"""Writes one file into the job's folder, under an ASCII name; returns its path."""


class NothingToExport(Exception):
    """The request names nothing that exists any more (a directive deleted, none open)."""


def chosen_directives(job: Job) -> tuple[list[Directive], Directive | None]:
    """The directives a status request covers, and the one chosen (None: every open one)."""
    directive_id = job.request.params.get("directive_id")
    if directive_id is None:
        directives = open_directives(job.session)
        if not directives:
            raise NothingToExport("no open directive")
        return directives, None
    directive = job.session.get(Directive, directive_id)
    if directive is None:
        raise NothingToExport(f"no directive {directive_id}")
    return [directive], directive


def status_workbook(job: Job) -> Path:
    """The status workbook of `hoctap export status`: a sheet per directive."""
    directives, chosen = chosen_directives(job)
    path = job.folder / status_file(chosen, job.today)
    export_status(job.session, directives, job.today, job.zone, path)
    return path


def ledger_workbook(job: Job) -> Path:
    """The fund ledger workbook of `hoctap export ledger` for the period asked."""
    first, last = period_of(job.request.params)
    path = job.folder / default_file(first, last)
    export_ledger(job.session, first, last, path)
    return path


def status_report(job: Job) -> Path:
    """The same status as a report to sign (DOCX), as `hoctap export report` writes it."""
    directives, chosen = chosen_directives(job)
    path = job.folder / status_file(chosen, job.today, prefix="bao-cao", suffix=".docx")
    export_status_report(job.session, directives, job.today, job.zone, path, job.commune)
    return path


def disclosure_page(job: Job) -> Path:
    """The unit's contributions as a page to post at its hall (DOCX), anonymous donors unnamed."""
    unit = job.session.get(Unit, job.request.params["unit_id"])
    if unit is None:
        raise NothingToExport(f"no unit {job.request.params['unit_id']}")
    first, last = period_of(job.request.params)
    path = job.folder / disclosure_file(unit, first, last)
    export_disclosure(job.session, unit.id or 0, first, last, job.today, path, job.commune)
    return path


# The files each kind of request gets, in the order they are sent.
BUILDERS: dict[str, tuple[Builder, ...]] = {
    ExportKind.STATUS.value: (status_workbook, status_report),
    ExportKind.LEDGER.value: (ledger_workbook,),
    ExportKind.DISCLOSURE.value: (disclosure_page,),
}


def build(job: Job) -> list[str]:
    """Build the request's files; return their names under the export folder ('7/x.xlsx')."""
    paths = [builder(job) for builder in BUILDERS[job.request.kind]]
    return [f"{job.request.id}/{path.name}" for path in paths]


def messages(job: Job, person: Person, names: list[str], timezone: str) -> list[Outbound]:
    """The messages carrying the files, and for a disclosure its text, in the person's language."""
    request = job.request
    _ = Translator(person.locale, timezone, channel=request.channel)
    subject = export_subject(job.session, request.kind, request.params, _, job.today)
    to = Recipient(request.channel, request.chat_id, request.person_id)
    sent = []
    for name in names:
        if request.channel in FILE_CHANNELS:
            text = file_title(subject, name)
        else:
            text = link_text(_, subject, name)
        sent.append(Outbound(to, text, document=export_ref(name)))
    if request.kind == ExportKind.DISCLOSURE.value:
        first, last = period_of(request.params)
        # The notice is for the unit's people, whatever language the officer reads.
        notice = disclosure_text(
            job.session, request.params["unit_id"], first, last, Translator("vi", timezone)
        )
        sent += [Outbound(to, forward_text(_)), Outbound(to, notice)]
    return sent


def run_exports(
    database: Database,
    setup: ExportSetup,
    clock: Callable[[], dt.datetime] = utcnow,
    lease: dt.timedelta = LEASE,
) -> int:
    """Build and send every request waiting; return how many were settled (done or failed).

    Safe to run twice or side by side: a request is claimed by one run, and sent once."""
    with Session(database) as session:
        waiting = claimable_requests(session, clock())
    return sum(run_one(database, setup, request_id, clock, lease) for request_id in waiting)


def run_one(
    database: Database,
    setup: ExportSetup,
    request_id: int,
    clock: Callable[[], dt.datetime],
    lease: dt.timedelta = LEASE,
) -> bool:
    """Claim one request, build it and queue its messages; False when another run had it."""
    with transaction(database) as session:
        until = claim(session, request_id, clock(), lease)
    if until is None:
        return False
    folder = setup.folder / str(request_id)
    try:
        built = _build(database, setup, request_id, folder, clock)
    except Exception as error:
        log.exception("could not build the files of export request %s", request_id)
        shutil.rmtree(folder, ignore_errors=True)
        failure = f"{type(error).__name__}: {error}"
        return _fail(database, setup, request_id, until, failure, clock, tell=True)
    if built is None:
        return _fail(database, setup, request_id, until, "the person was removed", clock)
    names, sent, locale = built
    with transaction(database) as session:
        now = clock()
        if not mark_done(session, request_id, until, names, now):
            log.warning("export request %s was taken over by another run", request_id)
            return False
        for number, message in enumerate(sent):
            message.idempotency_key = f"export:{request_id}:{number}"
            enqueue(session, message, locale, now)
    log.info("export request %s built: %s", request_id, ", ".join(names) or "text only")
    return True


def _build(
    database: Database,
    setup: ExportSetup,
    request_id: int,
    folder: Path,
    clock: Callable[[], dt.datetime],
) -> tuple[list[str], list[Outbound], str] | None:
    """Build a request's files and messages (names, messages, locale); None when the person
    who asked is no longer registered, so nothing is built."""
    zone = ZoneInfo(setup.timezone)
    with Session(database) as session:
        request = session.get(ExportRequest, request_id)
        person = session.get(Person, request.person_id) if request else None
        if request is None or person is None or person.removed_at is not None:
            return None
        today = clock().astimezone(zone).date()
        job = Job(session, request, today, zone, folder, setup.commune)
        folder.mkdir(parents=True, exist_ok=True)
        names = build(job)
        return names, messages(job, person, names, setup.timezone), person.locale


def _fail(
    database: Database,
    setup: ExportSetup,
    request_id: int,
    until: dt.datetime,
    error: str,
    clock: Callable[[], dt.datetime],
    *,
    tell: bool = False,
) -> bool:
    """Mark the request failed and, when `tell`, say so to the person in their language."""
    with transaction(database) as session:
        now = clock()
        if not mark_failed(session, request_id, until, error, now):
            return False
        request = session.get(ExportRequest, request_id)
        person = session.get(Person, request.person_id) if request else None
        if not tell or request is None or person is None:
            return True
        _ = Translator(person.locale, setup.timezone, channel=request.channel)
        subject = export_subject(session, request.kind, request.params, _, _.today(now))
        to = Recipient(request.channel, request.chat_id, request.person_id)
        failed = Outbound(
            to, failure_text(_, subject), idempotency_key=f"export:{request_id}:failed"
        )
        enqueue(session, failed, person.locale, now)
    return True


def remove_old_exports(folder: Path, now: dt.datetime, keep: dt.timedelta = KEEP) -> int:
    """Delete the requests' folders (EXPORT_DIR/<id>/) last written more than `keep` ago;
    return how many. Other files in the export folder are not the job's and stay."""
    if not folder.is_dir():
        return 0
    oldest = (now - keep).timestamp()
    removed = 0
    for entry in folder.iterdir():
        if entry.is_dir() and entry.name.isdigit() and entry.stat().st_mtime < oldest:
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
    return removed


async def export_job(
    database: Database,
    setup: ExportSetup,
    wake: asyncio.Event,
    clock: Callable[[], dt.datetime] = utcnow,
) -> int:
    """Build the waiting requests off the loop; wake the sender when messages were queued."""
    settled = await asyncio.to_thread(run_exports, database, setup, clock)
    if settled:
        wake.set()
    return settled
