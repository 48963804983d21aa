"""CORS: the widget's endpoints answer the configured shop origins only; nothing else answers cross-origin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from huisheng.runtime import Runtime
from huisheng.settings import Settings

SHOP = "https://shop.example"


@pytest.fixture()
def shop_client(settings: Settings, runtime: Runtime) -> Iterator[TestClient]:
    runtime.settings = settings.model_copy(
        update={"widget": settings.widget.model_copy(update={"allowed_origins": [SHOP]})}
    )
    with TestClient(create_app(runtime=runtime)) as client:
        yield client


def _preflight(client: TestClient, path: str, origin: str) -> dict[str, str]:
    response = client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    return dict(response.headers)


def test_the_shop_origin_may_call_the_widget_endpoints(shop_client: TestClient) -> None:
    headers = _preflight(shop_client, "/api/chat/messages", SHOP)
    assert headers.get("access-control-allow-origin") == SHOP
    assert "authorization" in headers.get("access-control-allow-headers", "").lower()
    visitor = shop_client.post("/api/chat/visitors", json={}, headers={"Origin": SHOP})
    assert visitor.headers.get("access-control-allow-origin") == SHOP


def test_another_origin_is_not_allowed(shop_client: TestClient) -> None:
    assert "access-control-allow-origin" not in _preflight(
        shop_client, "/api/chat/messages", "https://evil.example"
    )


def test_staff_routes_never_answer_cross_origin(shop_client: TestClient) -> None:
    assert "access-control-allow-origin" not in _preflight(shop_client, "/api/conversations/1/replies", SHOP)
