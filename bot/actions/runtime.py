"""The action server's shared objects (settings, engine, analyzer, shop policy), built once on first use."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from huisheng.runtime import Runtime
    from huisheng.services.policy import ShopPolicy

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_runtime: Runtime | None = None
# The shop edits shop_policy.yml while the bot runs, so it is re-read when its modification time changes.
_policy: tuple[Path, float, ShopPolicy] | None = None


def get_runtime() -> Runtime:
    """The one Runtime of this action server; rasa_sdk imports every action module, so never build at import."""
    global _runtime
    if _runtime is None:
        with _lock:
            if _runtime is None:
                from huisheng.runtime import Runtime

                _runtime = Runtime()
                logger.info(
                    "action server runtime ready (database %s)", _runtime.engine.url.get_backend_name()
                )
    return _runtime


def use_runtime(runtime: Runtime | None) -> None:
    """Installs a prepared runtime (tests), or forgets the current one so the next use builds afresh."""
    global _runtime, _policy
    with _lock:
        _runtime = runtime
        _policy = None


def get_policy() -> ShopPolicy:
    """The shop policy, reloaded when the file changed since the last answer."""
    global _policy
    from huisheng.services.policy import load_policy

    path = Path(get_runtime().settings.shop.policy_file)
    mtime = path.stat().st_mtime
    with _lock:
        if _policy is None or _policy[0] != path or _policy[1] != mtime:
            _policy = (path, mtime, load_policy(path))
            logger.info("shop policy loaded from %s", path)
        return _policy[2]
