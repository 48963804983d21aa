"""The demo shop page and the widget's files, served by the API itself."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from api.pages.shop import WIDGET_DIR

WIDGET_TAG = '<script src="/widget.js" data-shop="demo" async></script>'


def test_the_shop_page_embeds_the_widget_with_one_script_tag(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.count("<script") == 1
    assert WIDGET_TAG in response.text
    assert "回声小店" in response.text and "¥129.00" in response.text


def test_the_shop_page_loads_nothing_from_another_origin(client: TestClient) -> None:
    page = client.get("/").text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)


def test_the_widget_script_is_served_as_javascript_with_a_validator(client: TestClient) -> None:
    response = client.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["etag"] and "max-age" in response.headers["cache-control"]
    assert "attachShadow" in response.text


def test_the_widget_styles_are_served_as_css(client: TestClient) -> None:
    response = client.get("/widget.css")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/css; charset=utf-8"
    assert ":host" in response.text


def test_an_unchanged_widget_answers_not_modified(client: TestClient) -> None:
    etag = client.get("/widget.js").headers["etag"]
    response = client.get("/widget.js", headers={"If-None-Match": f"W/{etag}"})
    assert response.status_code == 304
    assert response.headers["etag"] == etag and not response.content


def test_a_stale_etag_gets_the_whole_file(client: TestClient) -> None:
    response = client.get("/widget.css", headers={"If-None-Match": '"not-the-current-one"'})
    assert response.status_code == 200 and response.content


def test_the_shop_stylesheet_is_a_static_file(client: TestClient) -> None:
    response = client.get("/static/shop/shop.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")


def test_the_widget_never_parses_server_text_as_html() -> None:
    script = (WIDGET_DIR / "widget.js").read_text(encoding="utf-8")
    # The one innerHTML is the widget's own constant shell; server data goes in through textContent.
    assert len(re.findall(r"\.innerHTML\s*=", script)) == 1
    assert "insertAdjacentHTML" not in script and "outerHTML" not in script and "eval(" not in script
