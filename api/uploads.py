"""Upload routes (review files) whose request bodies are refused with 413 as soon as they pass the limit:
before anything is read when Content-Length says so, else at the chunk that passes it, so an oversize body
is neither spooled to disk nor parsed. The form's file is then read no further than the file limit."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response, UploadFile
from fastapi.routing import APIRoute
from starlette.types import Message, Receive

from huisheng.services import review_files

# Room for the multipart boundaries, part headers and the small fields sent beside the file.
FORM_ALLOWANCE = 64 * 1024


def body_limit() -> int:
    # Read when asked, not at import, so the limit follows review_files.MAX_BYTES.
    return review_files.MAX_BYTES + FORM_ALLOWANCE


class _BodyPastLimit(Exception):
    """Raised into the form parser to stop it; the route answers with the refusal instead."""


class _CountedBody:
    def __init__(self, receive: Receive, limit: int):
        self._receive = receive
        self._limit = limit
        self.received = 0
        self.exceeded = False

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self._limit:
                self.exceeded = True
                raise _BodyPastLimit
        return message


class LimitedUploadRoute(APIRoute):
    """A route whose body may not pass `body_limit()`; the refusal is a TooLargeError, so the API answers
    413 with its JSON body and the console its Chinese error page, like any other error."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            limit = body_limit()
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise review_files.too_large(int(declared))
            body = _CountedBody(request.receive, limit)
            try:
                return await handler(Request(request.scope, body.receive))
            except Exception:
                # FastAPI reports a failed form parse as a 400; the cause here was the size.
                if body.exceeded:
                    raise review_files.too_large() from None
                raise

        return limited


def read_upload(file: UploadFile) -> bytes:
    """The file's bytes, read no further than one byte past the limit (which read_table then refuses).

    The routes are plain functions, so reading and parsing a large file runs in the thread pool, not on
    the event loop."""
    return file.file.read(review_files.MAX_BYTES + 1)
