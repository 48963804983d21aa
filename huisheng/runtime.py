"""What an entry point builds once: settings, the database engine and sessions, the text analyzer."""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from crm_store.session import create_db_engine, create_session_factory, transaction
from huisheng.settings import Settings, load_settings

if TYPE_CHECKING:
    from huisheng.channels.delivery import Delivery
    from huisheng.clients.rasa import RasaClient
    from huisheng.live.bus import InProcessBus
    from huisheng.live.locks import TurnLocks
    from huisheng.services.analysis import TextAnalyzer
    from huisheng.services.chat import ChatService
    from huisheng.services.review_import_jobs import ReviewImports
    from huisheng.services.staff_desk import StaffDesk
    from huisheng.services.visitors import VisitorTokens


class Runtime:
    """Owns the engine and the lazily built parts; the API, the action server and the CLI each make one."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or load_settings()
        self.engine = create_db_engine(self.settings.database_url, echo=self.settings.database.echo)
        self.session_factory = create_session_factory(self.engine)
        self._lock = threading.RLock()
        self._analyzer: TextAnalyzer | None = None
        self._chat: ChatService | None = None
        self._desk: StaffDesk | None = None
        self._delivery: Delivery | None = None
        self._locks: TurnLocks | None = None
        self._visitors: VisitorTokens | None = None
        self._rasa: RasaClient | None = None
        self._imports: ReviewImports | None = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls everything back when the block raises."""
        with transaction(self.session_factory) as session:
            yield session

    @property
    def analyzer(self) -> TextAnalyzer:
        # Loading jieba and the sentiment model takes seconds: only entry points that analyse pay for it.
        if self._analyzer is None:
            with self._lock:
                if self._analyzer is None:
                    from huisheng.services.analysis import TextAnalyzer

                    self._analyzer = TextAnalyzer.from_settings(self.settings.nlp)
        return self._analyzer

    @property
    def rasa(self) -> RasaClient:
        """One client (one connection pool) for the relay and the staff desk alike."""
        if self._rasa is None:
            with self._lock:
                if self._rasa is None:
                    from huisheng.clients.rasa import RasaClient

                    rasa = self.settings.rasa
                    token = rasa.token.get_secret_value() if rasa.token else None
                    self._rasa = RasaClient(rasa.url, timeout=rasa.timeout_seconds, token=token)
        return self._rasa

    @property
    def delivery(self) -> Delivery:
        if self._delivery is None:
            with self._lock:
                if self._delivery is None:
                    from huisheng.channels.delivery import Delivery
                    from huisheng.live.bus import create_bus

                    self._delivery = Delivery(create_bus(self.settings.redis.url))
        return self._delivery

    @property
    def bus(self) -> InProcessBus:
        return self.delivery.bus

    @property
    def turn_locks(self) -> TurnLocks:
        if self._locks is None:
            with self._lock:
                if self._locks is None:
                    from huisheng.live.locks import create_turn_locks

                    self._locks = create_turn_locks(self.settings.redis.url)
        return self._locks

    @property
    def chat(self) -> ChatService:
        if self._chat is None:
            with self._lock:
                if self._chat is None:
                    from huisheng.services.chat import ChatService

                    self._chat = ChatService.from_settings(
                        self.settings,
                        session_scope=self.session,
                        analyzer=lambda: self.analyzer,
                        locks=self.turn_locks,
                        delivery=self.delivery,
                        rasa=self.rasa,
                    )
        return self._chat

    @property
    def desk(self) -> StaffDesk:
        if self._desk is None:
            with self._lock:
                if self._desk is None:
                    from huisheng.services.staff_desk import StaffDesk

                    self._desk = StaffDesk(session_scope=self.session, delivery=self.delivery, rasa=self.rasa)
        return self._desk

    @property
    def review_imports(self) -> ReviewImports:
        """Review uploads (kept in the data directory) and import jobs (run on this process's threads)."""
        if self._imports is None:
            with self._lock:
                if self._imports is None:
                    from huisheng.services.review_analysis import FollowUpPolicy
                    from huisheng.services.review_import_jobs import ReviewImports

                    self._imports = ReviewImports(
                        session_scope=self.session,
                        analyzer=lambda: self.analyzer,
                        upload_dir=self.settings.app.data_dir / "review_uploads",
                        follow_up=FollowUpPolicy.from_settings(self.settings),
                    )
        return self._imports

    @property
    def visitor_tokens(self) -> VisitorTokens:
        if self._visitors is None:
            with self._lock:
                if self._visitors is None:
                    from huisheng.services.visitors import VisitorTokens

                    self._visitors = VisitorTokens(
                        self.secret_key(), max_age_days=self.settings.widget.token_days
                    )
        return self._visitors

    def secret_key(self) -> bytes:
        """The app secret; outside production one is made once and kept in the data directory."""
        configured = self.settings.app.secret_key
        if configured is not None:
            return configured.get_secret_value().encode()
        if self.settings.is_production:  # settings already refuse this; never sign with a made-up key
            raise RuntimeError("production needs HUISHENG_APP_SECRET_KEY")
        return _local_secret(self.settings.app.data_dir / "secret_key")

    def close(self) -> None:
        if self._rasa is not None:
            self._rasa.close()
        if self._delivery is not None:
            self._delivery.close()
            self._delivery.bus.close()
        self.engine.dispose()


def _local_secret(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: two processes starting together agree on one key; 0600 from the first byte.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip().encode()
