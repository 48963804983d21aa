"""Oversize review uploads are refused with 413 before their body is read: at once when Content-Length says
so, and at the chunk that passes the limit when the body is streamed without a length."""

from __future__ import annotations

from collections.abc import Iterator

import anyio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api import uploads
from crm_store.enums import StaffRole
from huisheng.services import review_files
from tests.api.conftest import token_for

BOUNDARY = "hs-boundary"
CHUNK = 8 * 1024
LIMIT = uploads.FORM_ALLOWANCE + 1024  # body_limit() once MAX_BYTES is 1 KiB
API_PATHS = ("/api/reviews/imports", "/api/reviews/imports/preview")
PAGE_PATH = "/console/insights/import"
# Of the 102 chunks sent, the last one read: the part headers, then file chunks until one passes the limit.
CUT_AT = 1 + LIMIT // CHUNK + 1


@pytest.fixture(autouse=True)
def small_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(review_files, "MAX_BYTES", 1024)


def multipart(chunks: int) -> Iterator[bytes]:
    """A file part of `chunks` chunks of CHUNK bytes, as a client streams it."""
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n评论\r\n"
    ).encode()
    for _ in range(chunks):
        yield b"x" * CHUNK
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


class Sent:
    def __init__(self) -> None:
        self.status = 0
        self.body = b""
        self.chunks_read = 0


def post_streamed(app: FastAPI, path: str, body: Iterator[bytes], headers: dict[str, str]) -> Sent:
    """Drives the app as a server would, one chunk per receive, counting the chunks the app asked for (the
    test client would read a streamed body whole before the app saw any of it)."""
    sent = Sent()

    async def receive() -> dict[str, object]:
        chunk = next(body, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        sent.chunks_read += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.start":
            sent.status = int(message["status"])  # type: ignore[call-overload]
        elif message["type"] == "http.response.body":
            sent.body += message.get("body", b"")  # type: ignore[operator]

    headers = {"content-type": f"multipart/form-data; boundary={BOUNDARY}", **headers}
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    anyio.run(app, scope, receive, send)
    return sent


@pytest.fixture()
def manager(session: Session) -> dict[str, str]:
    return token_for(session, StaffRole.MANAGER)


@pytest.mark.parametrize("path", API_PATHS)
def test_a_declared_oversize_upload_is_refused_before_its_body_is_read(
    client: TestClient, manager: dict[str, str], path: str
) -> None:
    headers = {**manager, "content-length": str(LIMIT + 1)}
    sent = post_streamed(client.app, path, multipart(100), headers)  # type: ignore[arg-type]
    assert sent.status == 413
    assert sent.chunks_read == 0
    assert b'"code":"file_too_large"' in sent.body
    assert "文件太大" in sent.body.decode()


@pytest.mark.parametrize("path", API_PATHS)
def test_a_streamed_upload_without_a_length_is_cut_off_at_the_limit(
    client: TestClient, manager: dict[str, str], path: str
) -> None:
    sent = post_streamed(client.app, path, multipart(100), manager)  # type: ignore[arg-type]
    assert sent.status == 413
    assert b'"code":"file_too_large"' in sent.body
    assert sent.chunks_read == CUT_AT


def test_the_upload_page_refuses_a_declared_oversize_body_in_chinese_before_reading_it(
    client: TestClient,
) -> None:
    sent = post_streamed(client.app, PAGE_PATH, multipart(100), {"content-length": str(LIMIT + 1)})  # type: ignore[arg-type]
    assert (sent.status, sent.chunks_read) == (413, 0)
    assert "文件太大" in sent.body.decode() and "上限是" in sent.body.decode()


def test_the_upload_page_cuts_off_a_streamed_oversize_body(client: TestClient) -> None:
    sent = post_streamed(client.app, PAGE_PATH, multipart(100), {})  # type: ignore[arg-type]
    assert sent.status == 413
    assert sent.chunks_read == CUT_AT
    assert "文件太大" in sent.body.decode()


def test_a_body_within_the_limit_reaches_the_route(client: TestClient, manager: dict[str, str]) -> None:
    # 1 KiB of file is the limit itself: read_table takes it (an unreadable CSV is a 422, not a 413).
    sent = post_streamed(client.app, "/api/reviews/imports/preview", multipart(0), manager)  # type: ignore[arg-type]
    assert sent.status == 200, sent.body
