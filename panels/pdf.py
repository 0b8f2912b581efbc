"""Printable documents rendered by WeasyPrint, with the shipped Atkinson Hyperlegible font."""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from weasyprint import HTML

PRINT_CSS = "css/prep-print.css"


def pdf_response(request: HttpRequest, template: str, context: dict, *, filename: str) -> HttpResponse:
    """The stylesheet is given as a file URL so WeasyPrint reads it, and the fonts it names
    relative to it, from disk rather than through HTTP."""
    css_path = finders.find(PRINT_CSS) or str(Path(settings.BASE_DIR) / "static" / PRINT_CSS)
    html = render_to_string(template, context | {"print_css": Path(css_path).as_uri()}, request=request)
    pdf = HTML(string=html, base_url=Path(css_path).parent.as_uri() + "/").write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
