"""The demo shop page at `/` and the chat widget's own files, served by the API itself (no CDN)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.access import open_to
from api.deps import SettingsDep
from api.pages import STATIC_DIR, TEMPLATES_DIR
from huisheng.demo.catalog import PRODUCTS, DemoProduct

router = APIRouter(
    include_in_schema=False, dependencies=[Depends(open_to("anyone (demo shop, widget files)"))]
)
templates = Jinja2Templates(directory=TEMPLATES_DIR)

WIDGET_DIR = STATIC_DIR / "widget"
# The embed URL (/widget.js) carries no version, so browsers keep it briefly and then revalidate by ETag.
WIDGET_CACHE_CONTROL = "public, max-age=300, must-revalidate"
# One or two of each category, so the shelf looks like a shop and not a price list.
FEATURED_SKUS = (
    "HS-PHN-001",
    "HS-PHN-003",
    "HS-CLO-002",
    "HS-SNK-003",
    "HS-BTY-002",
    "HS-APL-001",
    "HS-BOK-002",
    "HS-FRT-003",
)


@dataclass(frozen=True, slots=True)
class Shelf:
    """A product as the shop page shows it."""

    sku: str
    name: str
    category: str
    price: str
    description: str
    glyph: str


def featured_products() -> list[Shelf]:
    by_sku = {product.sku: product for product in PRODUCTS}
    return [_shelf(by_sku[sku]) for sku in FEATURED_SKUS if sku in by_sku]


def _shelf(product: DemoProduct) -> Shelf:
    return Shelf(
        sku=product.sku,
        name=product.name,
        category=product.category,
        price=f"{product.price:.2f}",
        description=product.description,
        glyph=product.short_name[:1],
    )


@router.get("/", response_class=HTMLResponse)
def shop_home(request: Request, settings: SettingsDep) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "shop/index.html",
        {"shop_name": settings.shop.name, "products": featured_products()},
    )


@router.get("/widget.js")
def widget_script(request: Request) -> Response:
    return _widget_file(request, WIDGET_DIR / "widget.js", "text/javascript; charset=utf-8")


@router.get("/widget.css")
def widget_styles(request: Request) -> Response:
    return _widget_file(request, WIDGET_DIR / "widget.css", "text/css; charset=utf-8")


def _widget_file(request: Request, path: Path, media_type: str) -> Response:
    # Read per request (a few KB): an edited widget is served at once, with a new ETag.
    content = path.read_bytes()
    etag = f'"{hashlib.sha256(content).hexdigest()[:20]}"'
    headers = {"ETag": etag, "Cache-Control": WIDGET_CACHE_CONTROL, "X-Content-Type-Options": "nosniff"}
    if etag in _etags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    return Response(content, media_type=media_type, headers=headers)


def _etags(header: str) -> set[str]:
    # Proxies may weaken a tag (W/"…"); for an unchanged file a weak match is as good.
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}
