"""WeChat fixtures: a fake WeChat API server, the app with the channel configured, and WeChat's side of the
webhook built with wechatpy (signed, optionally AES-encrypted XML; replies parsed and decrypted)."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlparse

import pytest
import xmltodict
from fastapi.testclient import TestClient
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from api.app import create_app
from huisheng.clients.rasa import RasaClient
from huisheng.runtime import Runtime
from huisheng.services.chat import ChatService
from huisheng.services.staff_desk import StaffDesk
from huisheng.settings import Settings, load_settings
from tests.stubs import Answer, FakeRasa, stub_analyzer

TOKEN = "huisheng-test-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wx0123456789abcdef"
APP_SECRET = "test-app-secret-0123456789"
ACCOUNT = "gh_huisheng_shop"
WELCOME = "感谢关注测试小店！"
PASSIVE_SECONDS = 3.0  # generous: no test here wants a turn to miss it

_msg_ids = itertools.count(6_900_000_000_000_000_001)


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeWeChat:
    """WeChat's API on a local port: hands out tokens, records every request, answers errcodes on demand."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    send_errors: list[int] = field(default_factory=list)  # errcodes for the next sends, in order
    expires_in: int = 7200
    tokens_issued: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sends(self) -> list[dict[str, Any]]:
        with self.lock:
            return [r.json() for r in self.received if r.path == "/cgi-bin/message/custom/send"]

    def token_fetches(self) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path == "/cgi-bin/stable_token"]

    def wait_for_sends(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.sends()) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.sends()

    def answer(self, received: Received) -> dict[str, Any]:
        with self.lock:
            self.received.append(received)
            if received.path == "/cgi-bin/stable_token":
                self.tokens_issued += 1
                return {"access_token": f"ACCESS-{self.tokens_issued}", "expires_in": self.expires_in}
            if received.path == "/cgi-bin/message/custom/send":
                errcode = self.send_errors.pop(0) if self.send_errors else 0
                return {"errcode": errcode, "errmsg": "ok" if errcode == 0 else "refused"}
        return {"errcode": 40066, "errmsg": "invalid url"}


def _handler(fake: FakeWeChat) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            url = urlparse(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            answer = fake.answer(Received(self.command, url.path, query, self.rfile.read(length)))
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the test output is no place for an access log

    return Handler


@pytest.fixture()
def fake_wechat() -> Iterator[FakeWeChat]:
    fake = FakeWeChat()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


def wechat_settings(fake: FakeWeChat, **overrides: Any) -> dict[str, Any]:
    return {
        "app_id": APP_ID,
        "token": TOKEN,
        "aes_key": AES_KEY,
        "app_secret": APP_SECRET,
        "api_base_url": fake.url,
        "passive_reply_seconds": PASSIVE_SECONDS,
        "welcome_text": WELCOME,
        **overrides,
    }


@pytest.fixture()
def settings(database_url: str, tmp_path: Path, fake_wechat: FakeWeChat) -> Settings:
    return load_settings(
        app={"environment": "test", "data_dir": tmp_path},
        database={"url": database_url},
        wechat=wechat_settings(fake_wechat),
    )


def wire_fake_rasa(runtime: Runtime, rasa: FakeRasa) -> None:
    """The runtime's chat relay and staff desk, talking to `rasa` instead of a Rasa server."""
    analyzer = stub_analyzer()
    client = RasaClient("http://rasa.test", transport=rasa.transport())
    runtime._chat = ChatService(
        session_scope=runtime.session, analyzer=lambda: analyzer, rasa=client, delivery=runtime.delivery
    )
    runtime._desk = StaffDesk(session_scope=runtime.session, delivery=runtime.delivery, rasa=client)


def shop_answers(text: str) -> list[Answer]:
    if text == "改地址":
        return [
            {
                "text": "需要转人工吗？",
                "buttons": [
                    {"title": "转人工", "payload": "/affirm"},
                    {"title": "不用了", "payload": "/deny"},
                ],
            }
        ]
    if text == "再见":
        scores = [{"title": f"{n}分", "payload": f'/rate_service{{"rating":"{n}"}}'} for n in range(5, 0, -1)]
        return [{"text": "请为本次服务打分", "buttons": scores}]
    return [f"收到: {text}"]


@pytest.fixture()
def rasa(runtime: Runtime) -> FakeRasa:
    rasa = FakeRasa(shop_answers)
    wire_fake_rasa(runtime, rasa)
    return rasa


@pytest.fixture()
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=runtime)) as client:
        yield client


def text_xml(openid: str, content: str, msg_id: int | None = None, create_time: int | None = None) -> str:
    return message_xml(
        openid, "text", {"Content": content, "MsgId": str(msg_id or next(_msg_ids))}, create_time
    )


def event_xml(openid: str, event: str, create_time: int | None = None, **fields: str) -> str:
    return message_xml(openid, "event", {"Event": event, **fields}, create_time)


def message_xml(openid: str, msg_type: str, fields: dict[str, str], create_time: int | None = None) -> str:
    """A message as WeChat's servers send it: text in CDATA, numbers bare."""
    values = {
        "ToUserName": ACCOUNT,
        "FromUserName": openid,
        "CreateTime": str(create_time or int(time.time())),
        "MsgType": msg_type,
        **fields,
    }
    parts = [f"<{k}>{v}</{k}>" if v.isdigit() else f"<{k}><![CDATA[{v}]]></{k}>" for k, v in values.items()]
    return "<xml>" + "".join(parts) + "</xml>"


def new_msg_id() -> int:
    return next(_msg_ids)


def sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


class Reply(Protocol):
    """A response from httpx or from the TestClient (which uses httpx2): only what the tests read."""

    status_code: int

    @property
    def text(self) -> str: ...

    def json(self) -> Any: ...


@dataclass
class WeChatSide:
    """What WeChat's servers do: sign (and in safe mode encrypt) a message, post it, read the reply."""

    post: Callable[..., Reply]
    aes: bool = False
    crypto: WeChatCrypto = field(default_factory=lambda: WeChatCrypto(TOKEN, AES_KEY, APP_ID))

    def send(
        self,
        xml: str,
        *,
        timestamp: int | None = None,
        token: str = TOKEN,
        nonce: str = "n0nce",
        tamper: dict[str, str] | None = None,
    ) -> Reply:
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        params = {"signature": sign(token, stamp, nonce), "timestamp": stamp, "nonce": nonce}
        body = xml
        if self.aes:
            sealed = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, stamp))["xml"]
            body = xmltodict.unparse(
                {"xml": {"ToUserName": ACCOUNT, "Encrypt": sealed["Encrypt"]}}, full_document=False
            )
            params |= {"encrypt_type": "aes", "msg_signature": sign(token, stamp, nonce, sealed["Encrypt"])}
        return self.post("/wechat", params=params | (tamper or {}), content=body.encode("utf-8"))

    def reply(self, response: Reply) -> Any:
        """The passive reply as a wechatpy message (decrypted in safe mode); None for `success`."""
        assert response.status_code == 200, response.text
        if response.text == "success":
            return None
        xml = response.text
        if self.aes:
            sealed = xmltodict.parse(xml)["xml"]
            assert "Content" not in sealed  # safe mode never shows the text in the clear
            xml = self.crypto.decrypt_message(
                xml, sealed["MsgSignature"], sealed["TimeStamp"], sealed["Nonce"]
            )
        return parse_message(xml)

    def reply_text(self, response: Reply) -> str | None:
        message = self.reply(response)
        return None if message is None else str(message.content)


@pytest.fixture(params=[False, True], ids=["plain", "aes"])
def wechat(request: pytest.FixtureRequest, client: TestClient) -> WeChatSide:
    return WeChatSide(client.post, aes=request.param)


@pytest.fixture()
def plain(client: TestClient) -> WeChatSide:
    return WeChatSide(client.post)
