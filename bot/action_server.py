"""The action server, on loopback only and answering only Rasa: `python -m bot.action_server --port 5055`.

rasa_sdk's own entry point listens on 0.0.0.0 and runs any action for anyone who can reach it, with any
sender id; this one binds 127.0.0.1 and refuses every call without the shared token that Rasa sends
(`action_endpoint.token` in bot/endpoints.yml, from HUISHENG_RASA_ACTION_TOKEN).
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os

from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor
from sanic import Request, Sanic
from sanic.response import HTTPResponse, json

logger = logging.getLogger(__name__)

TOKEN_ENV = "HUISHENG_RASA_ACTION_TOKEN"
# The health check carries nothing and must work for process supervisors that hold no token.
OPEN_PATHS = frozenset({"/health"})


def build_app(token: str, *, actions: str = "bot.actions") -> Sanic:
    if len(token) < 16:
        raise SystemExit(f"{TOKEN_ENV} must be set to a secret of at least 16 characters")
    executor = ActionExecutor()
    executor.register_package(actions)
    app = create_app(executor, cors_origins=None)
    expected = token.encode()

    @app.on_request
    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        given = (request.args.get("token") or "").encode()
        if not hmac.compare_digest(given, expected):
            logger.warning("refused an action call without the shared token from %s", request.ip)
            return json({"error": "this action server only answers the Huisheng Rasa server"}, status=401)
        return None

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--host", default="127.0.0.1", help="keep it on loopback; Rasa is the only caller")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = build_app(os.environ.get(TOKEN_ENV, ""))
    app.run(host=args.host, port=args.port, single_process=True, access_log=False, motd=False)


if __name__ == "__main__":
    main()
