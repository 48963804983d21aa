"""The one settings object: defaults from config.yml, overridden by HUISHENG_* environment variables."""

from __future__ import annotations

import base64
import os
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_FILE = REPO_ROOT / "config.yml"

# Keys that must never come from a file that may be committed or shared.
SECRET_KEYS: dict[str, set[str]] = {
    "app": {"secret_key"},
    "database": {"password"},
    "wechat": {"token", "aes_key", "app_secret"},
    "rasa": {"token", "action_token"},
}


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class AppSettings(BaseModel):
    environment: Environment = Environment.DEVELOPMENT
    data_dir: Path = Path("data")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: str = "INFO"
    secret_key: SecretStr | None = None


class DatabaseSettings(BaseModel):
    url: str = ""
    echo: bool = False
    # Lets an operator keep the password out of the URL in config files and process listings.
    password: SecretStr | None = None


class NlpSettings(BaseModel):
    user_dict_dir: Path = Path("nlp/resources/jieba_dict")
    stopwords_file: Path = Path("nlp/resources/stopwords.txt")
    aspects_file: Path = Path("nlp/resources/aspects.yml")
    idf_file: Path = Path("nlp/resources/idf.txt")
    sentiment_model_dir: Path = Path("nlp/resources/models/sentiment-zh")
    # The built e5 encoder (make encoder) the shipped sentiment model runs on; HF model dirs ignore it.
    encoder_dir: Path = Path("data/models/e5-small")
    # Inference threads per process (ONNX Runtime, or torch for HF dirs): one leaves a core to Rasa.
    sentiment_threads: int = Field(default=1, ge=1, le=64)
    batch_size: int = Field(default=64, ge=1, le=1024)
    max_chars: int = Field(default=2000, ge=16)
    follow_up_below: float = Field(default=0.1, ge=0.0, le=1.0)


class EscalationSettings(BaseModel):
    sla_hours: dict[str, float] = Field(
        default_factory=lambda: {"urgent": 2.0, "high": 8.0, "normal": 24.0, "low": 72.0}
    )

    @field_validator("sla_hours")
    @classmethod
    def _every_priority_has_an_sla(cls, value: dict[str, float]) -> dict[str, float]:
        missing = {"urgent", "high", "normal", "low"} - value.keys()
        if missing:
            raise ValueError(f"escalation.sla_hours lacks an SLA for: {', '.join(sorted(missing))}")
        if any(hours <= 0 for hours in value.values()):
            raise ValueError("escalation.sla_hours must all be positive")
        return value


class ShopSettings(BaseModel):
    name: str = "回声小店"
    policy_file: Path = Path("shop_policy.yml")


class RasaSettings(BaseModel):
    url: str = "http://127.0.0.1:5005"
    action_port: int = Field(default=5055, ge=1, le=65535)
    timeout_seconds: float = Field(default=10, gt=0)
    # Rasa's HTTP API (trackers, pause/resume) answers only with this token (`rasa run --auth-token`).
    token: SecretStr | None = None
    # The action server runs actions only for a caller presenting this (bot/endpoints.yml sends it).
    action_token: SecretStr | None = None
    # Where Rasa keeps conversations: empty is SQLite in data_dir/rasa/; production gives a SQLAlchemy URL
    # (postgresql://…), which also reaches Rasa as HUISHENG_RASA_TRACKER_STORE_URL.
    tracker_store_url: str = ""


class RedisSettings(BaseModel):
    # Empty: live delivery and per-conversation locks stay inside this process (one API process).
    # Several API processes serving one shop need it: redis://127.0.0.1:6379/0
    url: str = ""


class WidgetSettings(BaseModel):
    # Shop pages allowed to call the widget's endpoints from the browser (CORS), e.g. https://shop.example
    allowed_origins: list[str] = Field(default_factory=list)
    greeting: str = "您好，我是回声小店的智能客服，订单、物流、退换货、发票都可以问我～"
    # A visitor token older than this starts a new visitor (the browser keeps it in localStorage).
    token_days: int = Field(default=365, ge=1, le=3650)


class ChatSettings(BaseModel):
    # Hand over to staff when this many customer messages in a row are angry: their anger cues
    # (anger_lexicon_file) add up to anger_cue_score and the sentiment model's P(positive) is below anger_below.
    anger_cue_score: float = Field(default=2.0, gt=0.0)
    anger_below: float = Field(default=0.7, ge=0.0, le=1.01)
    anger_turns: int = Field(default=1, ge=1, le=10)
    anger_lexicon_file: Path = Path("nlp/resources/lexicon/anger.txt")
    # While one of these bot forms is asking, anger is left to the form: the complaint form opens a case itself.
    anger_exempt_forms: list[str] = Field(default_factory=lambda: ["complaint_form"])
    # Longest a message waits for the one before it in the same conversation to be answered.
    turn_wait_seconds: float = Field(default=30, gt=0)


class ConsoleSettings(BaseModel):
    """The staff console: how long a login lasts, how guessing is throttled, when an SLA counts as near."""

    # A login ends after this long without a request, and in any case after session_max_hours.
    session_idle_hours: float = Field(default=12, gt=0)
    session_max_hours: float = Field(default=168, gt=0)
    # Failed logins within the window, per account and per address, before further tries are refused.
    login_window_minutes: float = Field(default=15, gt=0)
    login_max_failures: int = Field(default=5, ge=1)
    login_max_failures_per_ip: int = Field(default=30, ge=1)
    # A case whose SLA ends within this many minutes is shown as near breach.
    sla_warning_minutes: int = Field(default=60, ge=1)
    queue_page_size: int = Field(default=50, ge=5, le=500)
    # How often an open queue or case page asks for what changed.
    poll_seconds: float = Field(default=5, gt=0)


class AlertSettings(BaseModel):
    """Word-of-mouth alerts: a window's negative mentions against the same key's own baseline."""

    window_days: float = Field(default=1, gt=0, le=31)
    baseline_days: int = Field(default=28, ge=1, le=365)
    # Flag when P(X ≥ observed | Poisson(baseline rate × window)) is below alpha and observed ≥ min_count.
    alpha: float = Field(default=0.01, gt=0, lt=1)
    min_count: int = Field(default=5, ge=1)
    # Keywords checked: the most frequent ones among the window's negative reviews.
    top_keywords: int = Field(default=20, ge=0, le=500)
    examples: int = Field(default=3, ge=0, le=10)
    # A WeCom/DingTalk-style bot URL; its key is a credential, so prefer HUISHENG_ALERTS_WEBHOOK_URL.
    webhook_url: str = ""
    webhook_timeout_seconds: float = Field(default=5, gt=0, le=60)


class SegmentSettings(BaseModel):
    """RFM value tiers and behaviour tags computed by `huisheng compute-segments`."""

    # Empty: each threshold is the `quantile` of the customers' own values (the median by default).
    recency_days: float | None = Field(default=None, gt=0)
    frequency: float | None = Field(default=None, gt=0)
    monetary: float | None = Field(default=None, gt=0)
    quantile: float = Field(default=0.5, gt=0, lt=1)
    # Behaviour tags: how many signals make a tag.
    min_signals: int = Field(default=2, ge=1)
    loyal_orders: int = Field(default=3, ge=2)
    churn_frequent_orders: int = Field(default=3, ge=2)
    churn_recency_days: int = Field(default=60, ge=1)
    unhappy_contact_days: int = Field(default=30, ge=1)
    price_words: list[str] = Field(default_factory=lambda: ["优惠", "便宜", "降价", "打折", "折扣", "贵"])
    logistics_intents: list[str] = Field(default_factory=lambda: ["shipping_info", "order_status"])


class CareSettings(BaseModel):
    """The proactive care list (主动关怀)."""

    # Negative reviews and unhappy conversations this recent are listed.
    recent_days: int = Field(default=14, ge=1, le=365)
    # A valuable customer's bad experience this recent with no contact since is listed.
    no_contact_days: int = Field(default=90, ge=1, le=730)
    # A follow-up resolved this recently still counts as handled.
    handled_days: int = Field(default=30, ge=1, le=365)


class WechatSettings(BaseModel):
    app_id: str = ""
    token: SecretStr | None = None
    aes_key: SecretStr | None = None
    app_secret: SecretStr | None = None
    # The WeChat API; tests point it at a local fake server.
    api_base_url: str = "https://api.weixin.qq.com"
    # A signed request whose timestamp is further than this from now is refused as a replay.
    replay_window_seconds: int = Field(default=300, ge=10)
    # WeChat gives up after 5 s; answer passively only when the bot is done by then.
    passive_reply_seconds: float = Field(default=4.0, gt=0, lt=5)
    welcome_text: str = (
        "感谢关注回声小店！订单、物流、退换货、发票都可以直接发消息问我，需要人工请回复“转人工”。"
    )

    @field_validator("aes_key")
    @classmethod
    def _aes_key_is_wechats_43_characters(cls, value: SecretStr | None) -> SecretStr | None:
        # A wrong key would only show up as a 503 on the first safe-mode message: refuse it at start-up.
        if value is None or not value.get_secret_value():
            return None
        key = value.get_secret_value()
        try:
            decoded = base64.b64decode(key + "=", validate=True)
        except ValueError:
            decoded = b""
        if len(key) != 43 or len(decoded) != 32:
            raise ValueError(
                "HUISHENG_WECHAT_AES_KEY must be the 43-character EncodingAESKey from the 公众号 admin"
            )
        return value


class _YamlSource(InitSettingsSource):
    """Reads config.yml, refusing secrets there so they only ever come from the environment."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path):
        data = _read_config_file(path)
        super().__init__(settings_cls, init_kwargs=data)


def _read_config_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(loaded, dict):
        raise ValueError(f"{path} must hold a mapping of sections, not {type(loaded).__name__}")
    for section, keys in SECRET_KEYS.items():
        present = keys & set((loaded.get(section) or {}).keys())
        if present:
            names = ", ".join(f"{section}.{key}" for key in sorted(present))
            raise ValueError(
                f"{path}: {names} is a secret; set it in the environment "
                f"(e.g. HUISHENG_{section.upper()}_{sorted(present)[0].upper()}) instead"
            )
    return loaded


class Settings(BaseSettings):
    """Everything Huisheng can be told; build it once per entry point with `load_settings()`."""

    model_config = SettingsConfigDict(
        env_prefix="HUISHENG_",
        env_nested_delimiter="_",
        env_nested_max_split=1,
        extra="ignore",
    )

    config_dir: Path = REPO_ROOT
    app: AppSettings = Field(default_factory=AppSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    nlp: NlpSettings = Field(default_factory=NlpSettings)
    escalation: EscalationSettings = Field(default_factory=EscalationSettings)
    shop: ShopSettings = Field(default_factory=ShopSettings)
    rasa: RasaSettings = Field(default_factory=RasaSettings)
    chat: ChatSettings = Field(default_factory=ChatSettings)
    wechat: WechatSettings = Field(default_factory=WechatSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    widget: WidgetSettings = Field(default_factory=WidgetSettings)
    console: ConsoleSettings = Field(default_factory=ConsoleSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    segments: SegmentSettings = Field(default_factory=SegmentSettings)
    care: CareSettings = Field(default_factory=CareSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config_file = Path(os.environ.get("HUISHENG_CONFIG", DEFAULT_CONFIG_FILE))
        return (init_settings, env_settings, _YamlSource(settings_cls, config_file))

    @model_validator(mode="after")
    def _resolve_paths_and_check_secrets(self) -> Settings:
        root = self.config_dir
        self.app.data_dir = _absolute(root, self.app.data_dir)
        for name in (
            "user_dict_dir",
            "stopwords_file",
            "aspects_file",
            "idf_file",
            "sentiment_model_dir",
            "encoder_dir",
        ):
            setattr(self.nlp, name, _absolute(root, getattr(self.nlp, name)))
        self.shop.policy_file = _absolute(root, self.shop.policy_file)
        self.chat.anger_lexicon_file = _absolute(root, self.chat.anger_lexicon_file)
        if self.app.environment is Environment.PRODUCTION:
            if self.app.secret_key is None or len(self.app.secret_key.get_secret_value()) < 32:
                raise ValueError("production needs HUISHENG_APP_SECRET_KEY of at least 32 characters")
            if not self.database.url:
                raise ValueError(
                    "production needs HUISHENG_DATABASE_URL (PostgreSQL), not the SQLite default"
                )
        return self

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL, defaulting to SQLite in the data directory."""
        if not self.database.url:
            return f"sqlite:///{self.app.data_dir / 'huisheng.db'}"
        if self.database.password is None:
            return self.database.url
        from sqlalchemy.engine import make_url

        url = make_url(self.database.url).set(password=self.database.password.get_secret_value())
        return url.render_as_string(hide_password=False)

    @property
    def is_production(self) -> bool:
        return self.app.environment is Environment.PRODUCTION


def _absolute(root: Path, path: Path) -> Path:
    return path if path.is_absolute() else (root / path).resolve()


def load_settings(**overrides: Any) -> Settings:
    """Builds the settings; keyword overrides win over the environment (used by tests and the CLI)."""
    config_file = Path(os.environ.get("HUISHENG_CONFIG", DEFAULT_CONFIG_FILE))
    overrides.setdefault("config_dir", config_file.resolve().parent)
    return Settings(**overrides)
