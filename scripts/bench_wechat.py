"""Concurrent WeChat followers posting signed messages to a running /wechat; reports passive-reply p50/p95.

    HUISHENG_WECHAT_TOKEN=... .venv/bin/python scripts/bench_wechat.py --url http://127.0.0.1:8000 -s 20 -n 6

Each sender is one follower typing the script below in order, as WeChat's servers deliver it (signed, and
AES-encrypted with --aes, which also needs HUISHENG_WECHAT_AES_KEY and --app-id). A turn the server cannot
finish within its passive budget is answered `success` and its reply goes out later through the
customer-service API. With --api-port the script plays that API too (start the server with
HUISHENG_WECHAT_API_BASE_URL=http://127.0.0.1:PORT and an app secret): a follower then waits for a late reply
before writing again, as a person would, and the table reports how long late replies took to arrive.
Only loopback URLs are accepted: this is a load generator.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlparse

import httpx
import xmltodict

# The same six turns as the widget's benchmark, so the two tables compare (run from scripts/, as documented).
from bench_chat import LOOPBACK, SCRIPT
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

ACCOUNT = "gh_bench"
_msg_ids = itertools.count(int(time.time()) * 1_000_000)


@dataclass
class Result:
    passive: list[float] = field(default_factory=list)  # seconds to a passive reply
    success: list[float] = field(default_factory=list)  # seconds to `success`: the reply comes later
    delivered: list[float] = field(default_factory=list)  # seconds until such a reply reached the API
    failures: int = 0


class CustomerServiceAPI:
    """WeChat's token and customer-service endpoints on a local port, noting when each follower got a reply."""

    def __init__(self, port: int):
        self._arrivals: dict[str, int] = defaultdict(int)
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def count(self, openid: str) -> int:
        with self._changed:
            return self._arrivals[openid]

    def wait_beyond(self, openid: str, seen: int, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self._arrivals[openid] > seen, timeout=timeout)

    def _arrived(self, openid: str) -> None:
        with self._changed:
            self._arrivals[openid] += 1
            self._changed.notify_all()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                if self.path.startswith("/cgi-bin/stable_token"):
                    self._answer({"access_token": "BENCH-TOKEN", "expires_in": 7200})
                    return
                api._arrived(str(payload.get("touser")))
                self._answer({"errcode": 0, "errmsg": "ok"})

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def close(self) -> None:
        self._server.shutdown()


@dataclass(frozen=True)
class Follower:
    token: str
    crypto: WeChatCrypto | None

    def post(self, client: httpx.Client, openid: str, text: str) -> httpx.Response:
        stamp, nonce = str(int(time.time())), uuid.uuid4().hex[:10]
        xml = (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]>"
            f"</FromUserName><CreateTime>{stamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{next(_msg_ids)}</MsgId></xml>"
        )
        params = {"signature": _sign(self.token, stamp, nonce), "timestamp": stamp, "nonce": nonce}
        if self.crypto is not None:
            encrypted = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, stamp))["xml"]["Encrypt"]
            xml = (
                f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
                f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
            )
            params |= {"encrypt_type": "aes", "msg_signature": _sign(self.token, stamp, nonce, encrypted)}
        return client.post("/wechat", params=params, content=xml.encode("utf-8"))


def _sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def run_sender(
    client: httpx.Client, follower: Follower, api: CustomerServiceAPI | None, index: int, rounds: int
) -> Result:
    openid = f"oBench{index:04d}{uuid.uuid4().hex[:12]}"
    result = Result()
    for text in itertools.islice(itertools.cycle(SCRIPT), rounds):
        seen = api.count(openid) if api else 0
        started = time.perf_counter()
        try:
            response = follower.post(client, openid, text)
            response.raise_for_status()
        except httpx.HTTPError:
            result.failures += 1
            continue
        took = time.perf_counter() - started
        if response.text != "success":
            result.passive.append(took)
            continue
        result.success.append(took)
        if api is not None:
            if api.wait_beyond(openid, seen, timeout=60):
                result.delivered.append(time.perf_counter() - started)
            else:
                result.failures += 1
    return result


def warm_up(client: httpx.Client, follower: Follower, *, tries: int = 30) -> None:
    """Until one message is answered passively: the first turns load the sentiment model and warm Rasa."""
    openid = f"oBenchWarmUp{uuid.uuid4().hex[:12]}"
    for _ in range(tries):
        if follower.post(client, openid, SCRIPT[0]).text != "success":
            return
    raise SystemExit(f"no passive reply after {tries} warm-up messages: is the bot answering?")


def percentile(values: list[float], fraction: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] * 1000:.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("-s", "--senders", type=int, default=20, help="followers writing at the same time")
    parser.add_argument("-n", "--messages", type=int, default=len(SCRIPT), help="messages per follower")
    parser.add_argument("--aes", action="store_true", help="safe mode: encrypt with HUISHENG_WECHAT_AES_KEY")
    parser.add_argument("--app-id", default=os.environ.get("HUISHENG_WECHAT_APP_ID", ""))
    parser.add_argument("--api-port", type=int, help="play WeChat's customer-service API on this port")
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args()
    if urlparse(args.url).hostname not in LOOPBACK:
        parser.error("only loopback URLs (127.0.0.1, localhost) may be benchmarked")
    token = os.environ.get("HUISHENG_WECHAT_TOKEN", "")
    if not token:
        parser.error("set HUISHENG_WECHAT_TOKEN to the token the server was started with")
    crypto = None
    if args.aes:
        aes_key = os.environ.get("HUISHENG_WECHAT_AES_KEY", "")
        if len(aes_key) != 43 or not args.app_id:
            parser.error("--aes needs HUISHENG_WECHAT_AES_KEY (43 characters) and --app-id")
        crypto = WeChatCrypto(token, aes_key, args.app_id)
    follower = Follower(token, crypto)
    api = CustomerServiceAPI(args.api_port) if args.api_port else None

    limits = httpx.Limits(max_connections=args.senders, max_keepalive_connections=args.senders)
    with httpx.Client(base_url=args.url, timeout=args.timeout, limits=limits) as client:
        warm_up(client, follower)
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.senders) as pool:
            results = list(
                pool.map(lambda i: run_sender(client, follower, api, i, args.messages), range(args.senders))
            )
        elapsed = time.perf_counter() - started
    if api is not None:
        api.close()

    passive = [t for r in results for t in r.passive]
    success = [t for r in results for t in r.success]
    delivered = [t for r in results for t in r.delivered]
    failures = sum(r.failures for r in results)
    answered = len(passive) + len(success)
    if not answered:
        print("every message failed: is the server running with this token?", file=sys.stderr)
        return 1
    mode = "aes" if args.aes else "plain"
    print(
        "| mode | senders | messages | passive | later | failed | passive p50 ms | passive p95 ms "
        "| all answers p95 ms | later delivered p95 ms | msg/s |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {mode} | {args.senders} | {answered} | {len(passive)} | {len(success)} | {failures} "
        f"| {percentile(passive, 0.5)} | {percentile(passive, 0.95)} | {percentile(passive + success, 0.95)} "
        f"| {percentile(delivered, 0.95)} | {answered / elapsed:.1f} |"
    )
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
