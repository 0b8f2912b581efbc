"""Poster, roadmap and report PDFs with WeasyPrint, and the poster's PNG preview.

The poster is always exactly one page: render, count pages, shrink the type step by step and
render again; below a legible floor, shorten the longest wording with an ellipsis, then show
fewer items (« … et N autres »), so the loop always ends on one page.
"""

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML

PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}
PARTIES = ("agents", "users", "both")


@dataclass(frozen=True)
class PaperSize:
    name: str
    base_pt: float
    floor_pt: float


PAPER_SIZES = {
    "A4": PaperSize("A4", base_pt=15.0, floor_pt=6.0),
    "A3": PaperSize("A3", base_pt=21.0, floor_pt=8.5),
}
SHRINK_STEP = 0.94
GROW_BELOW = 0.9
MAX_GROWTH = 1.35
TRUNCATIONS = (240, 180, 130, 90, 60, 40)
ITEM_CAPS = (24, 16, 10, 6, 3, 1)


def static_base_url() -> str:
    """WeasyPrint resolves the shared stylesheet and the OFL font from the static folder."""
    stylesheet = Path(finders.find("css/poster-print.css"))
    return stylesheet.parent.parent.as_uri() + "/"


def _shorten(text: str, limit: int | None) -> str:
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def fitted_content(content: dict, *, limit: int | None = None, cap: int | None = None) -> dict:
    """The poster's content with each wording shortened to `limit` characters and each list
    cut to `cap` items (the rest counted), for the last-resort steps of one-page fitting."""
    def cut(items: list[str]) -> tuple[list[str], int]:
        kept = items if cap is None else items[:cap]
        return [_shorten(text, limit) for text in kept], len(items) - len(kept)

    qualities, more_qualities = cut(content["qualities"])
    groups = []
    for party in PARTIES:
        kept, more = cut(content["commitments"].get(party, []))
        groups.append({"party": party, "texts": kept, "more": more})
    return content | {
        "heading": _shorten(content["heading"], None if limit is None else max(limit, 80)),
        "qualities": qualities,
        "more_qualities": more_qualities,
        "groups": groups,
    }


LAST_RESORTS: tuple[tuple[int | None, int | None], ...] = (
    ((None, None),)
    + tuple((limit, None) for limit in TRUNCATIONS)
    + tuple((TRUNCATIONS[-1], cap) for cap in ITEM_CAPS)
)


def _text_volume(content: dict) -> int:
    return len(content["heading"]) + sum(
        len(text) for text in content["qualities"]
    ) + sum(len(text) for group in content["groups"] for text in group["texts"])


def _overflow(document) -> float:
    """How many pages' worth of content there is, from where the end marker landed."""
    last = document.pages[-1]
    end_y = last.anchors.get("poster-end", (0, last.height))[1]
    return (len(document.pages) - 1) + end_y / last.height


def _next_level(content: dict, level: int, overflow: float) -> int:
    """Jump to the first last-resort step that removes enough text, never standing still."""
    volume = _text_volume(fitted_content(content, limit=LAST_RESORTS[level][0], cap=LAST_RESORTS[level][1]))
    target = volume / overflow**1.2
    for candidate in range(level + 1, len(LAST_RESORTS)):
        limit, cap = LAST_RESORTS[candidate]
        if _text_volume(fitted_content(content, limit=limit, cap=cap)) <= target:
            return candidate
    return len(LAST_RESORTS) - 1


def poster_pdf(content: dict, *, paper: str, context: dict) -> bytes:
    """One page of the given paper size, whatever the length of the wording: shrink the type
    in proportion to the overflow, then (at the floor) shorten, then show fewer items."""
    size = PAPER_SIZES[paper]
    base_url = static_base_url()

    def render(font_pt: float, level: int):
        limit, cap = LAST_RESORTS[level]
        html = render_to_string(
            "posters/pdf/poster.html",
            context
            | {
                "poster": fitted_content(content, limit=limit, cap=cap),
                "paper": size.name,
                "font_pt": f"{font_pt:.2f}",
            },
        )
        return HTML(string=html, base_url=base_url).render(**PDF_OPTIONS)

    font_pt, level = size.base_pt, 0
    with translation.override("fr"):
        document = render(font_pt, level)
        fill = _overflow(document)
        if fill < GROW_BELOW:
            # A short poster: larger type, read from further away, if it still fits.
            larger = render(min(size.base_pt * MAX_GROWTH, font_pt * (0.96 / fill) ** 0.75), level)
            if len(larger.pages) == 1:
                document = larger
        while len(document.pages) > 1 and level < len(LAST_RESORTS) - 1:
            overflow = _overflow(document)
            if font_pt > size.floor_pt:
                font_pt = max(size.floor_pt, font_pt * min(SHRINK_STEP, overflow**-0.75))
            else:
                level = _next_level(content, level, overflow)
            document = render(font_pt, level)
    document.pages[1:] = []
    return document.write_pdf(**PDF_OPTIONS)


def document_pdf(template: str, context: dict) -> bytes:
    """Multi-page documents (roadmap, workshop report) share the poster's font and colours."""
    with translation.override("fr"):
        html = render_to_string(template, context)
    return HTML(string=html, base_url=static_base_url()).write_pdf(**PDF_OPTIONS)


def pdf_to_png(pdf: bytes, *, width: int = 900) -> bytes:
    """First page as PNG through poppler's pdftoppm, for the web preview of a validated poster."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "poster.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-png", "-singlefile", "-scale-to", str(width), str(source),
             str(Path(folder) / "preview")],
            check=True,
            capture_output=True,
            timeout=60,
        )
        return (Path(folder) / "preview.png").read_bytes()
