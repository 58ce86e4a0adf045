"""The people's pages: agent console, maintainer console, operations dashboard and the embeddable widget.

Plain HTML/CSS/JS from `gateway/static/` (no build step). The pages hold no data; they call the JSON APIs
with the bearer token of whoever signs in.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

STATIC = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(include_in_schema=False)

# path -> page file; one entry per page, served as UTF-8 HTML.
PAGES: dict[str, str] = {
    "/console": "console.html",
    "/maintain": "maintain.html",
    "/dashboard": "dashboard.html",
}

_HTML = "text/html; charset=utf-8"
# Pages and the widget change with deployments: browsers revalidate, intermediaries may cache briefly.
_REVALIDATE = {"Cache-Control": "no-cache"}


def _page(name: str) -> FileResponse:
    return FileResponse(STATIC / name, media_type=_HTML, headers=_REVALIDATE)


def _register(path: str, name: str) -> None:
    async def page() -> FileResponse:
        return _page(name)

    page.__name__ = f"page_{name.split('.')[0]}"
    router.add_api_route(path, page, methods=["GET"])


for _path, _name in PAGES.items():
    _register(_path, _name)


@router.get("/widget.js")
async def widget() -> FileResponse:
    """The one-line embed: `<script src="https://<gateway>/widget.js" data-base="https://<gateway>" defer>`."""
    return FileResponse(
        STATIC / "widget.js",
        media_type="text/javascript; charset=utf-8",
        headers={**_REVALIDATE, "Access-Control-Allow-Origin": "*"},
    )
