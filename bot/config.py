"""Settings read from the environment or `.env`."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from handlers.i18n import ADDRESS_FORMS, DEFAULT_OFFICE, Voice

MAX_OFFICE_NAME = 80


class Settings(BaseSettings):
    """Every setting the bot reads; `.env.example` lists the same keys."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite:///data/hoctap.db"
    telegram_bot_token: str = ""
    telegram_api_url: str = "https://api.telegram.org"
    zalo_bot_token: str = ""
    zalo_api_url: str = "https://bot-api.zaloplatforms.com"
    default_locale: str = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    poll_timeout: int = 30
    telegram_rate: float = 25.0
    telegram_chat_rate: float = 1.0
    zalo_rate: float = 10.0
    zalo_chat_rate: float = 1.0
    retry_minutes: float = 60.0
    send_concurrency: int = 12
    outbox_lease_seconds: float = 60.0
    quiet_hours: str = "21:00-07:00"
    reminder_schedule: str = "-3d 08:00, -1d 08:00, 0d 08:00, +1d 08:00"
    escalation_at: str = "+1d 08:00"
    weekly_digest: str = "mon 07:30"
    log_level: str = "INFO"
    # Housekeeping: under a day would forget keys of messages the platforms may still replay.
    inbound_key_days: int = Field(default=14, ge=1)
    outbox_keep_days: int = Field(default=30, ge=1)
    outbox_failed_keep_days: int = Field(default=90, ge=1)
    address_form: str = ADDRESS_FORMS[0]
    office_name: str = DEFAULT_OFFICE
    held_inbound_file: str = "data/held-inbound.jsonl"
    """Messages that arrived while the database was away, kept until stored."""
    # Files: photos and documents people sent, and the files the bot made for the office.
    media_dir: str = "data/media"
    export_dir: str = "data/exports"
    media_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    # Links to those files for chats that cannot take a file (Zalo): the address the bot's own
    # web endpoint is reached at from outside, e.g. https://hoctap.anhung.gov.vn. Empty: no links.
    public_url: str = ""
    http_host: str = "0.0.0.0"
    http_port: int = Field(default=8080, ge=0, le=65535)
    link_secret: str = ""
    """Signs the links; empty: one is made at first start and kept in the database."""

    commune_name: str = ""
    """The commune's name without 'xã' ('An Hưng'), heading the reports the office prints;
    '' leaves dots there to fill in by hand."""

    @field_validator("address_form")
    @classmethod
    def _known_address_form(cls, value: str) -> str:
        # Typed in .env by hand: case, spacing and the Unicode form of the accents may vary.
        form = " ".join(unicodedata.normalize("NFC", value).lower().split())
        if form not in ADDRESS_FORMS:
            raise ValueError(f"must be one of: {', '.join(ADDRESS_FORMS)}")
        return form

    @field_validator("office_name")
    @classmethod
    def _usable_office_name(cls, value: str) -> str:
        name = " ".join(unicodedata.normalize("NFC", value).split())
        if not name or len(name) > MAX_OFFICE_NAME:
            raise ValueError(f"must be a name of 1 to {MAX_OFFICE_NAME} characters")
        return name

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        url = value.strip().rstrip("/")
        if url and not url.startswith(("http://", "https://")):
            raise ValueError("must start with https:// (or http://), e.g. https://bot.example.vn")
        return url

    @field_validator("commune_name")
    @classmethod
    def _usable_commune_name(cls, value: str) -> str:
        name = " ".join(unicodedata.normalize("NFC", value).split())
        # 'Xã An Hưng' typed whole: the documents write 'UBND XÃ' themselves.
        if name[:3].casefold() == "xã ":
            name = name[3:].strip()
        if len(name) > MAX_OFFICE_NAME:
            raise ValueError(f"must be a name of at most {MAX_OFFICE_NAME} characters")
        return name

    def voice(self) -> Voice:
        """How the bot addresses people and names the office in Vietnamese."""
        return Voice(self.address_form, self.office_name)


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return Settings()
