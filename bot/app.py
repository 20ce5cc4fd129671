"""Wiring: database, dialog engine, channels and the outbox sender in one process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from pathlib import Path

from sqlalchemy import Engine as Database

from bot.attachments import Attachments
from bot.channels.base import Channel, InboundHandler
from bot.config import Settings
from bot.delivery import OutboxSender
from bot.file_server import FileServer
from bot.inbound import InboundStore, OutageLogFilter, Worker
from bot.links import LinkSigner, link_secret
from bot.logs import setup_logging
from bot.media_fetch import MediaFetcher
from bot.media_lookup import media_lookup
from bot.scheduler import policy_from_settings, retention_from_settings, start_scheduler
from handlers.broadcast_report import queue_broadcast_reports
from handlers.engine import Engine, Handled
from handlers.file_refs import use_public_links
from handlers.i18n import use_voice
from handlers.messages import Inbound
from storage.db import make_engine, transaction, upgrade
from storage.models import utcnow
from storage.people import write_setting

log = logging.getLogger("hoctap")
# Seconds between tries to start a channel whose platform could not be reached at start.
START_RETRY_FIRST = 2.0
START_RETRY_LAST = 300.0
# Loggers of loops that reach the database on every pass: an outage is one line, not a flood.
_DATABASE_LOOPS = (
    "bot.delivery",
    "bot.outbox_rows",
    "bot.media_fetch",
    "apscheduler.executors.default",
)


def build_channels(settings: Settings) -> dict[str, Channel]:
    """Create an adapter for every channel whose token is set."""
    channels: dict[str, Channel] = {}
    if settings.telegram_bot_token:
        from bot.channels.telegram import TelegramChannel

        channels["telegram"] = TelegramChannel(
            settings.telegram_bot_token,
            settings.telegram_api_url,
            poll_timeout=settings.poll_timeout,
        )
    if settings.zalo_bot_token:
        from bot.channels.zalo import ZaloChannel

        channels["zalo"] = ZaloChannel(
            settings.zalo_bot_token, settings.zalo_api_url, poll_timeout=settings.poll_timeout
        )
    return channels


class TelegramCommands:
    """Keeps each Telegram chat's command list matching its person's role and language.

    The role and language come with the engine's result for each message (no query per
    message); the menu is sent again only when they differ from what this chat was given.
    """

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.registered: dict[str, tuple[str, str]] = {}

    async def refresh(self, chat_id: str, handled: object) -> None:
        """Register the chat's commands if its person's role or language changed since last time."""
        if not isinstance(handled, Handled):
            # A stranger, a duplicate or an apology: nothing known about the person.
            return
        wanted = (handled.role, handled.locale)
        if self.registered.get(chat_id) == wanted:
            return
        try:
            await self.channel.set_commands(chat_id, *wanted)  # type: ignore[attr-defined]
            self.registered[chat_id] = wanted
        except Exception:
            log.warning("could not set the command list for a Telegram chat", exc_info=True)


def pass_on(handled: object, sender: OutboxSender, wake: asyncio.Event) -> None:
    """Give the sender what an event queued: its replies at once, the rest by a wake-up."""
    if isinstance(handled, Handled) and handled.handed:
        sender.hand_over(handled.handed)
        if handled.unclaimed:
            wake.set()
    elif handled:
        wake.set()


async def serve(settings: Settings) -> int:
    """Run every configured channel until stopped; return the exit code."""
    try:
        policy = policy_from_settings(settings)
        retention = retention_from_settings(settings)
    except ValueError as error:
        log.error("Bad setting: %s", error)
        return 2
    # Every Translator of the process (dialogs, reminders, broadcasts) speaks with it.
    use_voice(settings.voice())
    upgrade(settings.database_url)
    database = make_engine(settings.database_url)
    channels = build_channels(settings)
    if not channels:
        log.error("No channel configured: set TELEGRAM_BOT_TOKEN and/or ZALO_BOT_TOKEN in .env")
        return 2
    started = await _start(channels, database)
    channels = {name: channels[name] for name in started}
    if not channels:
        log.error("No channel could start; stopping")
        database.dispose()
        return 2

    wake = asyncio.Event()

    def queue_reports() -> int:
        with transaction(database) as session:
            return queue_broadcast_reports(session, settings.timezone, utcnow(), policy.quiet)

    async def report_broadcasts() -> None:
        # The database work in a worker thread; the wake-up back on the loop it belongs to.
        if await asyncio.to_thread(queue_reports):
            wake.set()

    attachments, files = serve_files(settings, database)
    sender = OutboxSender.from_settings(
        database, channels, settings, on_pass=report_broadcasts, attachments=attachments
    )
    engine = Engine(
        database,
        timezone=settings.timezone,
        default_locale=settings.default_locale,
        quiet_hours=policy.quiet,
        hand_off=sender.lease,
    )
    commands = TelegramCommands(channels["telegram"]) if "telegram" in channels else None

    worker = Worker()
    store = InboundStore(engine.handle, worker=worker)
    quiet_outages = OutageLogFilter()
    for name in _DATABASE_LOOPS:
        logging.getLogger(name).addFilter(quiet_outages)

    fetcher = MediaFetcher(
        database, channels, Path(settings.media_dir), settings.media_max_bytes
    )

    async def on_inbound(inbound: Inbound) -> None:
        handled = await store.store(inbound)
        pass_on(handled, sender, wake)
        fetcher.noticed(inbound)
        if commands is not None and inbound.channel == "telegram":
            await commands.refresh(inbound.chat_id, handled)

    polls = {
        asyncio.create_task(
            _serve_channel(name, channel, started[name], database, on_inbound), name=name
        ): name
        for name, channel in channels.items()
    }
    outbox = asyncio.create_task(sender.run(wake), name="outbox")
    fetching = asyncio.create_task(fetcher.run(), name="media")
    scheduler = start_scheduler(database, policy, wake, retention=retention)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    stopper = asyncio.create_task(stop.wait(), name="stop")
    code = await _supervise(polls, outbox, stopper)
    scheduler.shutdown(wait=False)
    tasks = [*polls, outbox, fetching, stopper]
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    worker.close()
    for name in _DATABASE_LOOPS:
        logging.getLogger(name).removeFilter(quiet_outages)
    for channel in channels.values():
        await channel.close()
    if files is not None:
        files.stop()
    database.dispose()
    log.info("stopped")
    return code


def serve_files(settings: Settings, database: Database) -> tuple[Attachments, FileServer | None]:
    """What the sender resolves file references with, and the link endpoint if PUBLIC_URL is set."""
    folders = {"export": Path(settings.export_dir), "media": Path(settings.media_dir)}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    signer = LinkSigner(link_secret(database, settings.link_secret), settings.public_url)
    use_public_links(bool(settings.public_url))
    attachments = Attachments(signer, folders, media=media_lookup(database, folders["media"]))
    if not settings.public_url:
        return attachments, None
    files = FileServer(signer, folders, settings.http_host, settings.http_port).start()
    return attachments, files


async def _start(channels: dict[str, Channel], database: Database) -> dict[str, bool]:
    """Start every channel: name -> started now. A refused token leaves its channel out.

    A channel that cannot be reached yet (network down, API busy) stays in, not started: its
    task starts it later, and the other channels serve meanwhile.
    """
    started: dict[str, bool] = {}
    for name, channel in channels.items():
        try:
            username = await channel.start()
        except Exception as error:
            if not _refused(error):
                log.warning("%s channel could not start yet: %s; trying again", name, error)
                started[name] = False
                continue
            # A wrong token is the operator's to fix: say so, loudly.
            log.error("%s channel could not start: %s", name, error)
            await channel.close()
            continue
        await _ready(name, channel, username, database)
        started[name] = True
    return started


async def _ready(name: str, channel: Channel, username: str, database: Database) -> None:
    """Note a started channel: log it, and on Telegram store the username and default menu."""
    log.info("%s channel ready as %s", name, username)
    if name == "telegram":
        try:
            with transaction(database) as session:
                write_setting(session, "telegram_username", username)
        except Exception as error:
            # Only invite links use it, and the value stored at an earlier start stays.
            log.warning("could not store the Telegram username: %s", error)
        await channel.set_default_commands()  # type: ignore[attr-defined]


async def _serve_channel(
    name: str, channel: Channel, started: bool, database: Database, handle: InboundHandler
) -> None:
    """Start the channel if it is not yet (backing off while unreachable), then poll it."""
    delay = START_RETRY_FIRST
    while not started:
        await asyncio.sleep(delay)
        try:
            username = await channel.start()
        except Exception as error:
            if _refused(error):
                raise
            delay = min(delay * 2, START_RETRY_LAST)
            log.warning("%s channel could not start yet: %s; trying again", name, error)
            continue
        await _ready(name, channel, username, database)
        started = True
    await channel.poll(handle)


def _refused(error: BaseException) -> bool:
    """Whether a channel failed because its platform refused the token."""
    from telegram.error import InvalidToken

    from bot.channels.zalo import ZaloTokenRefused

    return isinstance(error, InvalidToken | ZaloTokenRefused)


async def _supervise(
    polls: dict[asyncio.Task[None], str], outbox: asyncio.Task[None], stopper: asyncio.Task[bool]
) -> int:
    """Wait for a stop signal; a channel that stops is reported and the others go on.

    Return the exit code: 0 when stopped by a signal, 1 when the outbox sender or the last
    channel stopped on its own.
    """
    polls = dict(polls)
    while True:
        done, _pending = await asyncio.wait(
            [*polls, outbox, stopper], return_when=asyncio.FIRST_COMPLETED
        )
        if stopper in done:
            return 0
        if outbox in done:
            log.error("outbox stopped: %s", _failure(outbox))
            return 1
        for task in done:
            name = polls.pop(task)
            left = ", ".join(polls.values()) or "none"
            log.error("%s channel stopped: %s; still serving: %s", name, _failure(task), left)
        if not polls:
            log.error("No channel left; stopping")
            return 1


def _failure(task: asyncio.Task[None]) -> str:
    error = None if task.cancelled() else task.exception()
    return f"{type(error).__name__}: {error}" if error is not None else "ended without an error"


def run(settings: Settings) -> int:
    """Start the bot in the foreground (the `hoctap run` command)."""
    setup_logging(settings)
    return asyncio.run(serve(settings))
