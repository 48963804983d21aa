"""The WeChat Official Account webhook: URL check, signed (or AES-encrypted) messages, passive replies."""

from __future__ import annotations

import hmac
import logging
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import xmltodict
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse, Response
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import WeChatSigner

from api.access import open_to
from huisheng.channels.wechat import WeChatChannel, attach, inbound_of, passive_text
from huisheng.errors import InvalidInputError, PermissionDeniedError, UpstreamUnavailableError
from huisheng.settings import WechatSettings

logger = logging.getLogger(__name__)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Runs inside the app's own lifespan, once app.state.runtime exists; closes before the runtime does.
    channel = attach(app.state.runtime)
    app.state.wechat = channel
    try:
        yield
    finally:
        app.state.wechat = None
        if channel is not None:
            channel.close()


router = APIRouter(
    tags=["wechat"], lifespan=_lifespan, dependencies=[Depends(open_to("WeChat servers (signature)"))]
)

# WeChat's own messages are a few hundred bytes; anything near this is not from WeChat.
MAX_BODY_BYTES = 64 * 1024
# WeChat's "received, nothing to say now": it stops retrying and shows the customer nothing.
SUCCESS = "success"
_DTD = re.compile(r"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_Param = Annotated[str, Query(max_length=128)]


def get_channel(request: Request) -> WeChatChannel:
    channel: WeChatChannel | None = getattr(request.app.state, "wechat", None)
    if channel is None:
        raise UpstreamUnavailableError(
            "the WeChat channel is not configured: set HUISHENG_WECHAT_TOKEN (and for safe mode "
            "HUISHENG_WECHAT_AES_KEY and wechat.app_id)",
            code="wechat_not_configured",
        )
    return channel


ChannelDep = Annotated[WeChatChannel, Depends(get_channel)]


@router.get("/wechat", response_class=PlainTextResponse, summary="WeChat's server URL verification")
def verify_url(
    channel: ChannelDep,
    echostr: Annotated[str, Query(min_length=1, max_length=256)],
    signature: _Param = "",
    timestamp: _Param = "",
    nonce: _Param = "",
) -> PlainTextResponse:
    _check_request(channel.settings, signature, timestamp, nonce)
    return PlainTextResponse(echostr)


@router.post("/wechat", summary="Messages and events from WeChat's servers, answered within 5 seconds")
async def receive(
    request: Request,
    channel: ChannelDep,
    signature: _Param = "",
    timestamp: _Param = "",
    nonce: _Param = "",
    encrypt_type: _Param = "raw",
    msg_signature: _Param = "",
) -> Response:
    settings = channel.settings
    _check_request(settings, signature, timestamp, nonce)
    xml = _decode(await _read_body(request))
    envelope = _parse_xml(xml)
    crypto = None
    if encrypt_type == "aes":
        crypto = _crypto(settings)
        xml = _decrypt(crypto, envelope, msg_signature, timestamp, nonce)
        envelope = _parse_xml(xml)
    elif encrypt_type != "raw":
        raise HTTPException(400, f"encrypt_type must be 'raw' or 'aes', not '{encrypt_type}'")
    _require_fields(envelope)
    try:
        message = parse_message(xml)
    except (AttributeError, KeyError, TypeError, ValueError):  # fields nested where WeChat sends text
        raise InvalidInputError("the message's fields are not shaped like WeChat's") from None
    inbound = inbound_of(message, welcome_text=settings.welcome_text)
    if inbound is None:
        return PlainTextResponse(SUCCESS)
    turn = await channel.respond(inbound)
    if turn is None or not turn.replies:
        return PlainTextResponse(SUCCESS)
    reply = TextReply(message=message, content=_cdata_safe(passive_text(turn.replies))).render()
    if crypto is not None:
        reply = crypto.encrypt_message(reply, nonce, str(int(time.time())))
    return Response(reply, media_type="application/xml")


def _check_request(settings: WechatSettings, signature: str, timestamp: str, nonce: str) -> None:
    """Only WeChat knows the token; a signed request from outside the window is an old one played again."""
    token = settings.token.get_secret_value() if settings.token else ""
    signer = WeChatSigner()
    signer.add_data(token, timestamp, nonce)
    # compare_digest: how long a comparison takes must not tell a forger how much of it was right.
    if not signature or not hmac.compare_digest(signer.signature.encode(), signature.encode()):
        raise PermissionDeniedError(
            "the signature does not match: not a request from WeChat", code="bad_signature"
        )
    if not timestamp.isdigit():
        raise PermissionDeniedError("timestamp must be a Unix time", code="bad_timestamp")
    skew = abs(time.time() - int(timestamp))
    if skew > settings.replay_window_seconds:
        raise PermissionDeniedError(
            f"timestamp is {skew:.0f} s away from now (the window is {settings.replay_window_seconds} s): "
            "refused as a replay",
            code="stale_timestamp",
        )


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise HTTPException(413, f"the body is {declared} bytes; the limit is {MAX_BODY_BYTES}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:  # a body sent without Content-Length is cut off here
            raise HTTPException(413, f"the body is over the {MAX_BODY_BYTES}-byte limit")
    return bytes(body)


def _decode(body: bytes) -> str:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise HTTPException(400, f"the body is not UTF-8 (byte {error.start})") from None
    if not text.strip():
        raise HTTPException(400, "the body is empty; WeChat sends an <xml> message")
    return text


def _parse_xml(text: str) -> dict[str, Any]:
    """The <xml> element's fields; document type declarations (entity expansion) are refused outright."""
    if _DTD.search(text):
        raise HTTPException(400, "the XML must not carry a DOCTYPE or entity declarations")
    try:
        document = xmltodict.parse(text, disable_entities=True)
    except Exception as error:  # expat's ExpatError and xmltodict's ValueError for entities alike
        raise HTTPException(400, f"the body is not well-formed XML: {error}") from None
    root = document.get("xml") if isinstance(document, dict) else None
    if not isinstance(root, dict):
        raise HTTPException(400, "the body must be one <xml> element holding the message's fields")
    return root


def _require_fields(envelope: dict[str, Any]) -> None:
    for name in ("ToUserName", "FromUserName", "CreateTime", "MsgType"):
        value = envelope.get(name)
        if not isinstance(value, str) or not value.strip():
            raise InvalidInputError(f"the message has no {name}", details={"field": name})
    if not envelope["CreateTime"].isdigit():
        raise InvalidInputError("CreateTime must be a Unix time", details={"field": "CreateTime"})


def _crypto(settings: WechatSettings) -> WeChatCrypto:
    aes_key = settings.aes_key.get_secret_value() if settings.aes_key else ""
    token = settings.token.get_secret_value() if settings.token else ""
    if len(aes_key) != 43 or not settings.app_id:
        raise UpstreamUnavailableError(
            "safe mode needs HUISHENG_WECHAT_AES_KEY (the 43-character EncodingAESKey) and wechat.app_id",
            code="wechat_not_configured",
        )
    try:
        return WeChatCrypto(token, aes_key, settings.app_id)
    except (ValueError, AssertionError):  # wechatpy asserts the decoded key is 32 bytes
        raise UpstreamUnavailableError(
            "HUISHENG_WECHAT_AES_KEY is not a valid EncodingAESKey", code="wechat_not_configured"
        ) from None


def _decrypt(
    crypto: WeChatCrypto, envelope: dict[str, Any], msg_signature: str, timestamp: str, nonce: str
) -> str:
    encrypted = envelope.get("Encrypt")
    if not isinstance(encrypted, str) or not encrypted:
        raise InvalidInputError("a safe-mode message must carry Encrypt", details={"field": "Encrypt"})
    signer = WeChatSigner()
    signer.add_data(crypto.token, timestamp, nonce, encrypted)
    if not msg_signature or not hmac.compare_digest(signer.signature.encode(), msg_signature.encode()):
        raise PermissionDeniedError(
            "msg_signature does not match the encrypted message", code="bad_signature"
        )
    try:
        plain = crypto.decrypt_message({"Encrypt": encrypted}, msg_signature, timestamp, nonce)
    except (InvalidSignatureException, InvalidAppIdException):
        raise PermissionDeniedError(
            "the message was not encrypted for this account", code="bad_signature"
        ) from None
    except Exception:  # wechatpy lets base64, padding and app id errors through as whatever they are
        raise HTTPException(
            400, "Encrypt could not be decrypted with this account's EncodingAESKey"
        ) from None
    return str(plain)


def _cdata_safe(text: str) -> str:
    """wechatpy puts the text in CDATA as it is; a ']]>' inside would end it and break the reply."""
    return text.replace("]]>", "]]]]><![CDATA[>")
