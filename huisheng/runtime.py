"""What an entry point builds once: settings, the database engine and sessions, the text analyzer."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from crm_store.session import create_db_engine, create_session_factory, transaction
from huisheng.settings import Settings, load_settings

if TYPE_CHECKING:
    from huisheng.services.analysis import TextAnalyzer
    from huisheng.services.chat import ChatService


class Runtime:
    """Owns the engine and the lazily loaded models; the API, the action server and the CLI each make one."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or load_settings()
        self.engine = create_db_engine(self.settings.database_url, echo=self.settings.database.echo)
        self.session_factory = create_session_factory(self.engine)
        self._analyzer: TextAnalyzer | None = None
        self._analyzer_lock = threading.Lock()
        self._chat: ChatService | None = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls everything back when the block raises."""
        with transaction(self.session_factory) as session:
            yield session

    @property
    def analyzer(self) -> TextAnalyzer:
        # Loading jieba and the sentiment model takes seconds: only entry points that analyse pay for it.
        if self._analyzer is None:
            with self._analyzer_lock:
                if self._analyzer is None:
                    from huisheng.services.analysis import TextAnalyzer

                    self._analyzer = TextAnalyzer.from_settings(self.settings.nlp)
        return self._analyzer

    @property
    def chat(self) -> ChatService:
        if self._chat is None:
            from huisheng.services.chat import ChatService

            self._chat = ChatService.from_settings(
                self.settings, session_scope=self.session, analyzer=lambda: self.analyzer
            )
        return self._chat

    def close(self) -> None:
        if self._chat is not None:
            self._chat.close()
        self.engine.dispose()
