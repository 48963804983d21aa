"""The API documentation page loads nothing from outside the app."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_the_docs_page_loads_swagger_ui_from_the_app_itself(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text) + re.findall(r"url: '([^']+)'", page.text)
    assert assets and all(a.startswith("/") for a in assets), assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_the_vendored_swagger_ui_ships_with_its_licence(client: TestClient) -> None:
    assert "Apache License" in client.get("/static/vendor/swagger-ui-5.17.14/LICENSE").text
