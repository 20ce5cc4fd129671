"""Tables of hoctap: people and units, directives, the fund ledger, and runtime rows."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Column, Index, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

EXTERNAL_ID_LENGTH = 255
"""Room for a platform's chat and user ids; Zalo's are opaque strings of no documented length."""
INBOUND_KEY_LENGTH = 300


def utcnow() -> dt.datetime:
    """Return the current time, aware, in UTC as every timestamp is stored."""
    return dt.datetime.now(dt.UTC)


class Role(StrEnum):
    """What a person may do in the bot."""

    ADMIN = "admin"
    LEADER = "leader"
    FOCAL = "focal"


class UnitKind(StrEnum):
    """The kinds of unit a directive can target."""

    VILLAGE = "village"
    SCHOOL = "school"
    OFFICE = "office"


class ProgressStatus(StrEnum):
    """A unit's reported progress on an assignment."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DIFFICULTY = "difficulty"


class DonorKind(StrEnum):
    """Who gave to the fund."""

    PERSON = "person"
    FAMILY = "family"
    CLAN = "clan"
    ORGANISATION = "organisation"


class Unit(SQLModel, table=True):
    """A village (thôn), a school or an office that receives directives."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    kind: str = Field(max_length=16, index=True)
    created_at: dt.datetime = Field(default_factory=utcnow)
    archived_at: dt.datetime | None = None
    """Set when the office archives the unit: hidden from pickers and status, history kept."""


class Person(SQLModel, table=True):
    """Someone who uses the bot, with one role and at most one unit."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(default="", max_length=120)
    role: str = Field(max_length=16, index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    locale: str = Field(default="vi", max_length=8)
    created_at: dt.datetime = Field(default_factory=utcnow)
    removed_at: dt.datetime | None = None
    """Set when an admin removes the person: nothing more is sent to them, history kept."""
    preferred_channel: str = Field(default="", max_length=16)
    """The chat app chosen for messages the person did not ask for; '' means the last used."""


class Identity(SQLModel, table=True):
    """One chat account of a person on one channel."""

    # The delivery side looks accounts up by the chat a message goes to.
    __table_args__ = (
        UniqueConstraint("channel", "external_id"),
        Index("ix_identity_channel_chat", "channel", "chat_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=EXTERNAL_ID_LENGTH)
    chat_id: str = Field(max_length=EXTERNAL_ID_LENGTH)
    reachable: bool = True
    unreachable_reason: str = Field(default="", max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow)
    last_seen_at: dt.datetime | None = None
    """When the person last wrote from this chat account."""


class InviteCode(SQLModel, table=True):
    """A one-time code that turns the chat redeeming it into a person."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    role: str = Field(max_length=16)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    links_person: int | None = Field(default=None, foreign_key="person.id")
    """Set when the code adds another chat app to an existing person, not a new person."""
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: dt.datetime = Field(default_factory=utcnow)
    expires_at: dt.datetime
    used_at: dt.datetime | None = None
    used_by: int | None = Field(default=None, foreign_key="person.id")
    revoked_at: dt.datetime | None = None


class Directive(SQLModel, table=True):
    """An official document (công văn, kế hoạch) the commune sends out."""

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=60)
    issued_on: dt.date
    subject: str = Field(max_length=500)
    content: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    file_ref: str = Field(default="", max_length=300)
    file_name: str = Field(default="", max_length=200)
    deadline: dt.date | None = None
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: dt.datetime = Field(default_factory=utcnow)


class Assignment(SQLModel, table=True):
    """One directive's task for one unit, with the unit's latest status."""

    # Open work of a directive (status != done) is found without reading its rows.
    __table_args__ = (
        UniqueConstraint("directive_id", "unit_id"),
        Index("ix_assignment_directive_status", "directive_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    directive_id: int = Field(foreign_key="directive.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    status: str = Field(default=ProgressStatus.NOT_STARTED, max_length=16)
    reported_at: dt.datetime | None = None


class DirectiveTask(SQLModel, table=True):
    """The part of a directive addressed to one kind of unit, or to one named unit.

    A directive without tasks gives every unit its whole content; with tasks, a unit is shown
    the task of its own (named) unit, else of its kind, else the whole content.
    """

    id: int | None = Field(default=None, primary_key=True)
    directive_id: int = Field(foreign_key="directive.id", index=True)
    position: int = 0
    unit_kind: str = Field(default="", max_length=16)
    """The kind of unit the task is for ('village', 'school', 'office'); '' when for one unit."""
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    heading: str = Field(default="", max_length=300)
    """The heading as the document words it, e.g. '4. Các ông (bà) Trưởng thôn'."""
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class Milestone(SQLModel, table=True):
    """One of a directive's deadlines, with what is due then and for which kind of unit."""

    id: int | None = Field(default=None, primary_key=True)
    directive_id: int = Field(foreign_key="directive.id", index=True)
    due_on: dt.date
    what: str = Field(default="", max_length=300)
    """What is due, e.g. 'gửi báo cáo kết quả'."""
    unit_kind: str = Field(default="", max_length=16)
    """The kind of unit it applies to; '' for every unit of the directive."""


class Acknowledgement(SQLModel, table=True):
    """A person's 'received' on an assignment, once, with its time."""

    __table_args__ = (UniqueConstraint("assignment_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    at: dt.datetime = Field(default_factory=utcnow)


class ProgressReport(SQLModel, table=True):
    """A focal point's report on an assignment; every report is kept."""

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    status: str = Field(max_length=16)
    # Unbounded: a difficulty is often long, and what a person wrote is kept whole.
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    photo_ref: str = Field(default="", max_length=300)
    """The first photo, the one notices about the report carry: the bot's copy ('media:ID')
    since photos are kept, which every app can show; a platform's own reference before."""
    attachments: list[list[str]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, default=list)
    )
    """Every photo and file sent with the report, in order, as [kind, file reference, name]."""
    at: dt.datetime = Field(default_factory=utcnow)
    resolved_at: dt.datetime | None = None
    """When an admin or leader marked this difficulty 'Đã xử lý'; None while it is open."""
    resolved_by: int | None = Field(default=None, foreign_key="person.id")
    milestone_id: int | None = Field(default=None, foreign_key="milestone.id")
    """The milestone of its directive the report answers; None when it has none or says none."""


class ThreadSide(StrEnum):
    """Who wrote a message in a difficulty's thread: the commune office or the unit."""

    OFFICE = "office"
    UNIT = "unit"


class DifficultyMessage(SQLModel, table=True):
    """One answer in the thread about a unit's difficulty, office to unit or back."""

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    report_id: int = Field(foreign_key="progressreport.id", index=True)
    """The difficulty report the thread answers."""
    person_id: int = Field(foreign_key="person.id")
    side: str = Field(max_length=16)
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    at: dt.datetime = Field(default_factory=utcnow)


class Contribution(SQLModel, table=True):
    """An append-only fund ledger entry; a reversal is a new negative row."""

    # Covers the fund totals: grouped by unit in index order, the sums read the index alone.
    __table_args__ = (
        UniqueConstraint("year", "seq"),
        Index("ix_contribution_totals", "unit_id", "contributed_on", "amount", "reverses_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    receipt_no: str = Field(max_length=20, unique=True)
    year: int
    seq: int
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    recorded_by: int = Field(foreign_key="person.id")
    donor_name: str = Field(max_length=200)
    donor_kind: str = Field(max_length=16)
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))
    contributed_on: dt.date
    note: str = Field(default="", max_length=500)
    reverses_id: int | None = Field(default=None, foreign_key="contribution.id", unique=True)
    created_at: dt.datetime = Field(default_factory=utcnow)
    # Only a server default: inserts that name their columns (or predate it) leave it out.
    anonymous: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    """The donor asked not to be named in public: disclosures show 'Ẩn danh'. `donor_name` is
    'Ẩn danh' too, or the real name when the office keeps it."""


class FundTotal(SQLModel, table=True):
    """The running net total and standing count of one unit's contributions dated in one year.

    Kept with every ledger insert (storage/fund_totals.py); the ledger stays the truth.
    """

    unit_key: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    """The unit's id, or 0 for the office itself."""
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    total: int = Field(sa_column=Column(BigInteger, nullable=False))
    standing: int


class Conversation(SQLModel, table=True):
    """Where one chat account stands in a dialog, and what it has entered so far."""

    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=EXTERNAL_ID_LENGTH)
    step: str = Field(default="", max_length=120)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prompt: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    choices: list[list[str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    offer: int = 0
    updated_at: dt.datetime = Field(default_factory=utcnow)


class InboundKey(SQLModel, table=True):
    """An inbound event already processed, so a redelivery is dropped."""

    key: str = Field(primary_key=True, max_length=INBOUND_KEY_LENGTH)
    at: dt.datetime = Field(default_factory=utcnow, index=True)


class Broadcast(SQLModel, table=True):
    """An announcement an admin sent to many people at once (/thongbao)."""

    id: int | None = Field(default=None, primary_key=True)
    author_id: int = Field(foreign_key="person.id")
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    photo: str = Field(default="", max_length=300)
    media_channel: str = Field(default="", max_length=16)
    audience: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    recipients: int = 0
    created_at: dt.datetime = Field(default_factory=utcnow)
    reported_at: dt.datetime | None = None
    """When the author got the delivery report; None while messages are still going out."""
    fanned_out_to: int = 0
    """The highest person id whose message is queued: a fan-out resumes after it."""
    fanned_out_at: dt.datetime | None = None
    """When every recipient's message was queued; None while the fan-out goes on."""


class Reminder(SQLModel, table=True):
    """A reminder, escalation or digest already queued, so no pass queues it twice."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, unique=True)
    kind: str = Field(max_length=40)
    directive_id: int | None = Field(default=None, foreign_key="directive.id", index=True)
    assignment_id: int | None = Field(default=None, foreign_key="assignment.id", index=True)
    due_at: dt.datetime
    at: dt.datetime = Field(default_factory=utcnow)


class OutboxStatus(StrEnum):
    """Where an outgoing message stands."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(SQLModel, table=True):
    """A message to send, written before it is sent."""

    # The sender's claim: a channel's pending rows, most urgent first.
    __table_args__ = (Index("ix_outbox_due", "channel", "status", "priority", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16, index=True)
    chat_id: str = Field(max_length=EXTERNAL_ID_LENGTH)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    choices: list[list[str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    photo: str = Field(default="", max_length=300)
    document: str = Field(default="", max_length=300)
    locale: str = Field(default="vi", max_length=8)
    priority: int = Field(default=0, index=True)
    broadcast_id: int | None = Field(default=None, foreign_key="broadcast.id", index=True)
    idempotency_key: str | None = Field(default=None, max_length=120, unique=True)
    edit_message_id: str = Field(
        default="", max_length=EXTERNAL_ID_LENGTH, sa_column_kwargs={"server_default": ""}
    )
    """The platform id of the bot's message whose buttons this row replaces; '' sends anew."""
    status: str = Field(default=OutboxStatus.PENDING, max_length=16, index=True)
    attempts: int = 0
    parts_sent: int = 0
    """How many parts of a split message reached the chat, so a retry sends only the rest."""
    first_attempt_at: dt.datetime | None = None
    """When sending was first tried; transient errors are retried for a while after it."""
    not_before: dt.datetime = Field(default_factory=utcnow)
    leased_until: dt.datetime | None = None
    last_error: str = Field(default="", max_length=500)
    created_at: dt.datetime = Field(default_factory=utcnow)
    sent_at: dt.datetime | None = Field(default=None, index=True)


class AuditEntry(SQLModel, table=True):
    """Who did what to the ledger and the registry, for the record."""

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    action: str = Field(max_length=60)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Setting(SQLModel, table=True):
    """A value the running bot learns and others read, such as its Telegram username."""

    key: str = Field(primary_key=True, max_length=60)
    value: str = Field(default="", max_length=500)


class MediaStatus(StrEnum):
    """Where a kept photo or file stands: on its way, on the server, or given up."""

    PENDING = "pending"
    STORED = "stored"
    FAILED = "failed"


MEDIA_REF_LENGTH = 1000
"""Room for a Telegram file_id or a Zalo image URL, whose signed CDN addresses are long."""


class Media(SQLModel, table=True):
    """A photo or file a person sent with a report, kept by its platform reference and
    downloaded into MEDIA_DIR, so every app, export and person can see it later."""

    __table_args__ = (
        UniqueConstraint("channel", "platform_ref"),
        Index("ix_media_status_next_try", "status", "next_try_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    platform_ref: str = Field(max_length=MEDIA_REF_LENGTH)
    """The Telegram file_id, or the Zalo image URL (which expires)."""
    kind: str = Field(max_length=16)
    """'photo' or 'file', as in a report's attachments."""
    file_name: str = Field(default="", max_length=255)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    content_type: str = Field(default="", max_length=100)
    size: int = 0
    stored_path: str = Field(default="", max_length=300)
    """Relative to MEDIA_DIR (YYYY/MM/ID.ext); '' until the file is kept."""
    status: str = Field(default=MediaStatus.PENDING, max_length=16)
    attempts: int = 0
    next_try_at: dt.datetime = Field(default_factory=utcnow)
    """When the download is due (again); a fetcher that claims it moves it on as its lease."""
    last_error: str = Field(default="", max_length=500)
    created_at: dt.datetime = Field(default_factory=utcnow)


class ExportKind(StrEnum):
    """What a file asked for in the chat (/xuat) holds."""

    STATUS = "status"
    LEDGER = "ledger"
    DISCLOSURE = "disclosure"


class ExportStatus(StrEnum):
    """Where a file asked for in the chat stands."""

    PENDING = "pending"
    WORKING = "working"
    DONE = "done"
    FAILED = "failed"


class ExportRequest(SQLModel, table=True):
    """Files an admin or leader asked for in the chat, built in the background and sent back.

    `params` says what to put in them: {"directive_id": 12} (None: every open directive),
    {"first": "2026-01-01", "last": "2026-12-31"}, and for a disclosure also {"unit_id": 3}.
    """

    # The background job looks for work by status, oldest first.
    __table_args__ = (Index("ix_exportrequest_status", "status", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    channel: str = Field(max_length=16)
    chat_id: str = Field(max_length=EXTERNAL_ID_LENGTH)
    kind: str = Field(max_length=16)
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=ExportStatus.PENDING, max_length=16)
    leased_until: dt.datetime | None = None
    """While building: when a run that crashed is taken to have given up."""
    files: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    """The files built, by name under the export folder ('12/so-quy-khuyen-hoc-2026.xlsx')."""
    error: str = Field(default="", max_length=500)
    created_at: dt.datetime = Field(default_factory=utcnow)
    done_at: dt.datetime | None = None
