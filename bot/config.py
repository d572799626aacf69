"""Heard's configuration, read once from the environment.

Every variable Heard reads is named here and documented in the README; nothing else in the code
reads `os.environ`. A channel without credentials is off; the service still runs.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine.settings import GROUP_SUPPORT, Deployment

log = logging.getLogger("heard.config")

REPO_ROOT = Path(__file__).resolve().parents[1]
# A week: people on basic phones often answer a question days later.
DEFAULT_SESSION_TIMEOUT_MINUTES = 7 * 24 * 60
# How far `heard worker` lowers its CPU priority (HEARD_WORKER_NICE, bot.workers): not at all
# unless asked. On a busy shared host a lowered worker is slowed by every process, and on SQLite one
# preempted while holding the write lock makes the webhook wait (docs/DESIGN.md).
DEFAULT_WORKER_NICE = 0
ENV_VARS: tuple[str, ...] = (
    "HEARD_ENV",
    "DATABASE_URL",
    "HEARD_SECRET_KEY",
    "HEARD_SECRET_KEYS",
    "HEARD_PUBLIC_URL",
    "HEARD_DATA_DIR",
    "HEARD_FLOWS_DIR",
    "HEARD_ORG_NAME",
    "HEARD_HELPLINE",
    "HEARD_HELPLINE_SELF",
    "HEARD_HELPLINE_SELF_NAME",
    "HEARD_HELPLINE_ABUSE",
    "HEARD_HELPLINE_ABUSE_NAME",
    "HEARD_EMERGENCY",
    "HEARD_SAFEGUARDING_FOLLOW_UP",
    "HEARD_CONTACT",
    "HEARD_SENDS_UPDATES",
    "HEARD_GROUP_SUPPORT",
    "HEARD_HANDOVER",
    "HEARD_ASK_REGISTER",
    "HEARD_SESSION_TIMEOUT_MINUTES",
    "HEARD_LOG_LEVEL",
    "HEARD_WORKSPACE_SESSION_HOURS",
    "HEARD_ALERT_WEBHOOK_URL",
    "HEARD_ALERT_EMAIL",
    "HEARD_SMTP_HOST",
    "HEARD_SMTP_PORT",
    "HEARD_SMTP_USER",
    "HEARD_SMTP_PASSWORD",
    "HEARD_SMTP_FROM",
    "HEARD_SMTP_TLS",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_FROM",
    "TWILIO_MESSAGING_SERVICE_SID",
    "TWILIO_API_BASE_URL",
    "TWILIO_MESSAGES_PER_SECOND",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_WEBHOOK_SECRET",
    "TELEGRAM_API_BASE_URL",
    "TELEGRAM_MESSAGES_PER_SECOND",
    "TELEGRAM_CHAT_MESSAGES_PER_SECOND",
    "OUTBOX_MAX_ATTEMPTS",
    "HEARD_INBOX_LEASE_SECONDS",
    "HEARD_OUTBOX_LEASE_SECONDS",
    "HEARD_WORKER_NICE",
    "HEARD_WORKER_PACING",
    "HEARD_INBOX_RETENTION_DAYS",
    "HEARD_SMS_SEGMENT_PRICE",
    "HEARD_SMS_PRICE_CURRENCY",
    "HEARD_MESSAGE_LOG_RETENTION_DAYS",
    "RASA_URL",
    "RASA_TOKEN",
)


class ConfigError(RuntimeError):
    """The configuration cannot work (for example production without a secret key)."""


@dataclass(frozen=True)
class TwilioConfig:
    account_sid: str
    auth_token: str
    from_number: str | None
    messaging_service_sid: str | None
    api_base_url: str | None
    messages_per_second: float


@dataclass(frozen=True)
class TelegramConfig:
    bot_token: str
    webhook_secret: str | None
    api_base_url: str | None
    messages_per_second: float
    chat_messages_per_second: float


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    tls: str  # "starttls" | "ssl" | "none"
    user: str | None
    password: str | None = field(repr=False)
    sender: str
    to: tuple[str, ...]


@dataclass(frozen=True)
class AlertNotifyConfig:
    """Where a new safeguarding alert is announced at once (bot.workspace.notify): a chat
    webhook, an email address, or both. The notice never holds the person's words or number."""

    webhook_url: str | None = field(default=None, repr=False)  # its path is often a secret
    smtp: SmtpConfig | None = None


@dataclass(frozen=True)
class Settings:
    env: str  # "development" | "production"
    data_dir: Path
    database_url: str
    secret_key: str  # the newest key's secret
    public_url: str | None
    flows_dir: Path
    deployment: Mapping[str, str]
    session_timeout_minutes: int
    outbox_max_attempts: int
    twilio: TwilioConfig | None
    telegram: TelegramConfig | None
    rasa_url: str | None
    rasa_token: str | None
    log_level: str = "INFO"
    notes: tuple[str, ...] = field(default_factory=tuple)
    # A claimed inbox item / a message being sent whose claim is older than this is taken to
    # have died with its worker and is claimed again (bot.inbox, bot.outbox).
    inbox_lease_seconds: float = 120.0
    outbox_lease_seconds: float = 60.0
    # `heard worker` lowers its own CPU priority by this much (0 to 19; 0 leaves it as it is),
    # so on a host it shares, the web service answering webhooks gets the CPU first
    # (bot.workers.lower_priority). `heard run` is never lowered.
    worker_nice: int = DEFAULT_WORKER_NICE
    # Whether `heard worker` defers each turn while webhooks are being recorded (it watches the
    # inbox's newest id; bot.inbox.pacing), at most a quarter of a second each time. Off only
    # for workers on hosts of their own, where a turn takes no CPU from the web service.
    worker_pacing: bool = True
    # Processed inbound payloads (and sent or failed outbox rows) older than this are deleted,
    # and message log texts older than `message_log_retention_days` are cleared, by the
    # retention job the workers run (bot.retention).
    inbox_retention_days: float = 30.0
    message_log_retention_days: float = 30.0
    # The keyring, newest first: (key id, secret). Empty means `secret_key` alone, id `k1`.
    secret_keys: tuple[tuple[str, str], ...] = ()
    # A workspace sign-in lasts this long (bot.workspace).
    workspace_session_hours: float = 12.0
    alert_notify: AlertNotifyConfig = field(default_factory=AlertNotifyConfig)
    # The Telegram bot's username (TELEGRAM_BOT_USERNAME, without "@"): the workspace shows a
    # consultation's deep link `https://t.me/<username>?start=<keyword>` (bot.workspace.consult).
    telegram_bot_username: str | None = None
    # "You said, we did" (bot.updates): the price of one SMS segment and its currency, for the
    # cost estimate shown while an update is written (HEARD_SMS_SEGMENT_PRICE; None: not shown).
    sms_segment_price: float | None = None
    sms_price_currency: str = "GBP"

    @property
    def keyring(self) -> tuple[tuple[str, str], ...]:
        """(key id, secret) pairs, newest first, for storage.crypto.AddressCipher."""
        from storage.crypto import SINGLE_KEY_ID  # not imported by commands without a store

        return self.secret_keys or ((SINGLE_KEY_ID, self.secret_key),)

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def catalogue_dir(self) -> Path:
        return self.flows_dir / "catalogue"


def _development_key(data_dir: Path) -> str:
    """A per-checkout key in an ignored file, so `make run` works with no set-up.

    Production must set HEARD_SECRET_KEY: losing this file makes stored addresses unreadable.
    """
    path = data_dir / "secret-key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


def _keyring(spec: str, single: str) -> tuple[tuple[str, str], ...]:
    """HEARD_SECRET_KEYS (`id:secret,...`, newest first), checked; () when unset. A
    HEARD_SECRET_KEY set beside it must be one of its keys (a deployment that added a keyring
    while its environment still sets the single key)."""
    if not spec:
        return ()
    from storage.crypto import SecretKeyError, parse_keyring  # only when a keyring is given

    try:
        keys = parse_keyring(spec)
    except SecretKeyError as exc:
        raise ConfigError(str(exc)) from None
    for key_id, secret in keys:
        if len(secret) < 32:
            raise ConfigError(f"HEARD_SECRET_KEYS: key {key_id!r} must be at least 32 characters")
    if single and single not in {secret for _, secret in keys}:
        raise ConfigError("HEARD_SECRET_KEY is set but is not in HEARD_SECRET_KEYS: set one")
    return tuple(keys)


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from exc
    if value <= 0:
        raise ConfigError(f"{name} must be above 0")
    return value


# The default help lines: (number, the service's name printed beside it).
_SELF_LINE = ("116 123", "Samaritans")
_ABUSE_LINE = ("0808 2000 247", "National Domestic Abuse Helpline")


def _help_line(
    env: Mapping[str, str], number_vars: tuple[str, ...], name_var: str, default: tuple[str, str]
) -> tuple[str, str]:
    """A help line's (number, name); the first of `number_vars` that is set wins. A number
    other than the default needs its own name: the texts print the name beside the number, and
    must not send someone to Samaritans on another service's line."""
    given = next((v for v in number_vars if env.get(v, "").strip()), None)
    number = env[given].strip() if given else default[0]
    name = env.get(name_var, "").strip()
    if given and not name and number != default[0]:
        raise ConfigError(f"{given} is set: set {name_var} too (the service that number reaches)")
    return number, name or default[1]


def _safeguarding_settings(env: Mapping[str, str]) -> dict[str, str]:
    """Help lines and the follow-up promise, as the deployment mapping holds them."""
    # HEARD_HELPLINE is the older name of HEARD_HELPLINE_SELF.
    self_number, self_name = _help_line(
        env, ("HEARD_HELPLINE_SELF", "HEARD_HELPLINE"), "HEARD_HELPLINE_SELF_NAME", _SELF_LINE
    )
    abuse_number, abuse_name = _help_line(
        env, ("HEARD_HELPLINE_ABUSE",), "HEARD_HELPLINE_ABUSE_NAME", _ABUSE_LINE
    )
    return {
        "helpline": self_number,
        "helpline_self_name": self_name,
        "helpline_abuse": abuse_number,
        "helpline_abuse_name": abuse_name,
        "emergency": env.get("HEARD_EMERGENCY", "").strip() or "999",
        "safeguarding_follow_up": _flag(env, "HEARD_SAFEGUARDING_FOLLOW_UP"),
    }
def deployment_settings(env: Mapping[str, str], contact: str = "") -> dict[str, str]:
    """What the deployment tells the engine (`bot.engine.settings.Deployment.from_mapping`),
    every default included: the engine keeps none of its own."""
    return {
        "org": env.get("HEARD_ORG_NAME") or "Heard",
        "contact": contact,
        **_safeguarding_settings(env),
        # Promises: messages say these things only when they are set.
        "sends_updates": _flag(env, "HEARD_SENDS_UPDATES"),
        "group_support": _group_support(env),
        "handover": _flag(env, "HEARD_HANDOVER"),
        "ask_register": _flag(env, "HEARD_ASK_REGISTER"),
    }


def default_deployment() -> Deployment:
    """The deployment of an empty environment: Heard's name, the UK help lines, no contact and
    no promises (what `heard lint` and the tests start from)."""
    return Deployment.from_mapping(deployment_settings({}))


_YES = ("yes", "true", "1", "on")
_NO = ("no", "false", "0", "off", "")


def _flag(env: Mapping[str, str], name: str) -> str:
    """A promise flag as the deployment mapping holds it: "yes" or "no" (unset is "no")."""
    raw = env.get(name, "").strip().lower()
    if raw in _YES:
        return "yes"
    if raw in _NO:
        return "no"
    raise ConfigError(f"{name} must be yes or no, not {raw!r}")


def _group_support(env: Mapping[str, str]) -> str:
    """HEARD_GROUP_SUPPORT: what working-group members get paid, comma-separated offers."""
    raw = env.get("HEARD_GROUP_SUPPORT", "")
    offers = {part.strip().lower() for part in raw.split(",") if part.strip()}
    unknown = sorted(offers - set(GROUP_SUPPORT))
    if unknown:
        known = " and/or ".join(GROUP_SUPPORT)
        raise ConfigError(f"HEARD_GROUP_SUPPORT lists {', '.join(unknown)}: use {known}")
    return ",".join(o for o in GROUP_SUPPORT if o in offers)


def _alert_notify(env: Mapping[str, str], notes: list[str]) -> AlertNotifyConfig:
    webhook = env.get("HEARD_ALERT_WEBHOOK_URL", "").strip() or None
    if webhook is not None and not webhook.startswith(("https://", "http://")):
        raise ConfigError("HEARD_ALERT_WEBHOOK_URL must be an http(s) URL")
    to = tuple(a.strip() for a in env.get("HEARD_ALERT_EMAIL", "").split(",") if a.strip())
    host = env.get("HEARD_SMTP_HOST", "").strip()
    smtp: SmtpConfig | None = None
    if to and not host:
        raise ConfigError("HEARD_ALERT_EMAIL is set: set HEARD_SMTP_HOST too")
    if to:
        tls = (env.get("HEARD_SMTP_TLS", "") or "starttls").strip().lower()
        if tls not in ("starttls", "ssl", "none"):
            raise ConfigError("HEARD_SMTP_TLS must be starttls, ssl or none")
        try:
            port = int(env.get("HEARD_SMTP_PORT", "") or (465 if tls == "ssl" else 587))
        except ValueError as exc:
            raise ConfigError("HEARD_SMTP_PORT must be a whole number") from exc
        smtp = SmtpConfig(
            host=host,
            port=port,
            tls=tls,
            user=env.get("HEARD_SMTP_USER") or None,
            password=env.get("HEARD_SMTP_PASSWORD") or None,
            sender=env.get("HEARD_SMTP_FROM", "").strip() or to[0],
            to=to,
        )
    if webhook is None and smtp is None:
        notes.append(
            "new safeguarding alerts are not announced: set HEARD_ALERT_WEBHOOK_URL or "
            "HEARD_ALERT_EMAIL (with HEARD_SMTP_HOST); the safety queue still lists them"
        )
    return AlertNotifyConfig(webhook, smtp)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    mode = env.get("HEARD_ENV", "development").strip() or "development"
    if mode not in ("development", "production"):
        raise ConfigError(f"HEARD_ENV must be development or production, not {mode!r}")
    data_dir = Path(env.get("HEARD_DATA_DIR") or REPO_ROOT / "var")
    notes: list[str] = []

    secret = env.get("HEARD_SECRET_KEY", "").strip()
    keyring = _keyring(env.get("HEARD_SECRET_KEYS", "").strip(), secret)
    if keyring:
        secret = keyring[0][1]
    elif not secret:
        if mode == "production":
            raise ConfigError(
                "HEARD_SECRET_KEY (or HEARD_SECRET_KEYS) is required when HEARD_ENV=production"
            )
        secret = _development_key(data_dir)
        notes.append(f"using the development key in {data_dir / 'secret-key'}")
    elif len(secret) < 32:
        raise ConfigError("HEARD_SECRET_KEY must be at least 32 characters")

    contact = env.get("HEARD_CONTACT", "").strip()
    if not contact and mode == "production":
        # The consent texts tell people whom to contact about their data.
        raise ConfigError("HEARD_CONTACT is required when HEARD_ENV=production")

    database_url = env.get("DATABASE_URL", "").strip() or f"sqlite:///{data_dir / 'heard.sqlite'}"

    twilio: TwilioConfig | None = None
    sid, token = env.get("TWILIO_ACCOUNT_SID", ""), env.get("TWILIO_AUTH_TOKEN", "")
    sender = env.get("TWILIO_FROM") or None
    service = env.get("TWILIO_MESSAGING_SERVICE_SID") or None
    if sid and token and (sender or service):
        twilio = TwilioConfig(
            sid,
            token,
            sender,
            service,
            env.get("TWILIO_API_BASE_URL") or None,
            _float(env, "TWILIO_MESSAGES_PER_SECOND", 1.0),
        )
    else:
        notes.append(
            "SMS is off: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM "
            "(or TWILIO_MESSAGING_SERVICE_SID) to turn it on"
        )

    telegram: TelegramConfig | None = None
    bot_token = env.get("TELEGRAM_BOT_TOKEN", "")
    if bot_token:
        telegram = TelegramConfig(
            bot_token,
            env.get("TELEGRAM_WEBHOOK_SECRET") or None,
            env.get("TELEGRAM_API_BASE_URL") or None,
            _float(env, "TELEGRAM_MESSAGES_PER_SECOND", 30.0),
            _float(env, "TELEGRAM_CHAT_MESSAGES_PER_SECOND", 1.0),
        )
    else:
        notes.append("Telegram is off: set TELEGRAM_BOT_TOKEN to turn it on")

    try:
        timeout = int(
            env.get("HEARD_SESSION_TIMEOUT_MINUTES", "") or DEFAULT_SESSION_TIMEOUT_MINUTES
        )
        attempts = int(env.get("OUTBOX_MAX_ATTEMPTS", "") or 5)
        worker_nice = int(env.get("HEARD_WORKER_NICE", "") or DEFAULT_WORKER_NICE)
    except ValueError as exc:
        raise ConfigError(f"a whole number was expected: {exc}") from exc
    if not 0 <= worker_nice <= 19:
        raise ConfigError("HEARD_WORKER_NICE must be from 0 to 19")

    inbox_days = _float(env, "HEARD_INBOX_RETENTION_DAYS", 30.0)
    alert_notify = _alert_notify(env, notes)
    return Settings(
        env=mode,
        data_dir=data_dir,
        database_url=database_url,
        secret_key=secret,
        secret_keys=keyring,
        public_url=(env.get("HEARD_PUBLIC_URL") or "").rstrip("/") or None,
        flows_dir=Path(env.get("HEARD_FLOWS_DIR") or REPO_ROOT / "flows"),
        deployment=deployment_settings(env, contact),
        session_timeout_minutes=timeout,
        outbox_max_attempts=attempts,
        twilio=twilio,
        telegram=telegram,
        rasa_url=(env.get("RASA_URL") or "").rstrip("/") or None,
        rasa_token=env.get("RASA_TOKEN") or None,
        log_level=env.get("HEARD_LOG_LEVEL", "INFO"),
        notes=tuple(notes),
        inbox_lease_seconds=_float(env, "HEARD_INBOX_LEASE_SECONDS", 120.0),
        outbox_lease_seconds=_float(env, "HEARD_OUTBOX_LEASE_SECONDS", 60.0),
        worker_nice=worker_nice,
        worker_pacing=_flag(env, "HEARD_WORKER_PACING") == "yes"
        if env.get("HEARD_WORKER_PACING", "").strip() else True,
        inbox_retention_days=inbox_days,
        message_log_retention_days=_float(env, "HEARD_MESSAGE_LOG_RETENTION_DAYS", inbox_days),
        workspace_session_hours=_float(env, "HEARD_WORKSPACE_SESSION_HOURS", 12.0),
        alert_notify=alert_notify,
        telegram_bot_username=(env.get("TELEGRAM_BOT_USERNAME") or "").lstrip("@") or None,
        sms_segment_price=_price(env),
        sms_price_currency=(env.get("HEARD_SMS_PRICE_CURRENCY") or "GBP").strip().upper(),
    )


def _price(env: Mapping[str, str]) -> float | None:
    """HEARD_SMS_SEGMENT_PRICE: what one SMS segment costs (for example 0.0463); unset: none."""
    raw = (env.get("HEARD_SMS_SEGMENT_PRICE") or "").strip()
    if not raw:
        return None
    try:
        price = float(raw)
    except ValueError as exc:
        raise ConfigError(f"HEARD_SMS_SEGMENT_PRICE must be a number, not {raw!r}") from exc
    if price < 0:
        raise ConfigError("HEARD_SMS_SEGMENT_PRICE cannot be negative")
    return price
