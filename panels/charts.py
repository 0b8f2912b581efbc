"""Server-rendered SVG: actual composition against the target, readable without colour."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from panels.services import CriterionReport

LABEL_WIDTH = 290
BAR_WIDTH = 330
ROW_HEIGHT = 40
TOP = 28


def representativeness_svg(report: CriterionReport, *, chart_id: str) -> SafeString:
    """One horizontal bar per value (actual share), a dashed mark at the target share, and the
    numbers written out; a value off target is marked « écart » in the text, not only in colour."""
    width = LABEL_WIDTH + BAR_WIDTH + 170
    height = TOP + ROW_HEIGHT * len(report.shares) + 8
    summary = "; ".join(
        _("%(label)s : %(percent)d %% (cible %(target)s)") % {
            "label": share.label, "percent": share.percent,
            "target": f"{share.target} %" if share.target is not None else _("aucune"),
        }
        for share in report.shares
    )
    subtitle = _("part réelle et part visée")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="repr-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(report.label)} — {escape(subtitle)}</title>',
        f'<desc id="{chart_id}-d">{escape(summary)}</desc>',
        f'<text x="{LABEL_WIDTH}" y="16" font-size="13" fill="#555">0 %</text>',
        f'<text x="{LABEL_WIDTH + BAR_WIDTH}" y="16" font-size="13" fill="#555" '
        f'text-anchor="end">100 %</text>',
    ]
    for index, share in enumerate(report.shares):
        y = TOP + index * ROW_HEIGHT
        bar = round(BAR_WIDTH * share.percent / 100)
        label = ("⚠ " if share.off_target else "") + share.label
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 21}" font-size="15" text-anchor="end" '
            f'fill="#1e1e1e">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 6}" width="{BAR_WIDTH}" height="22" fill="#f6f6f6" '
            f'stroke="#929292"/>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 6}" width="{bar}" height="22" '
            f'fill="{"#b34000" if share.off_target else "#000091"}"/>'
        )
        if share.target is not None:
            x = LABEL_WIDTH + round(BAR_WIDTH * share.target / 100)
            parts.append(
                f'<line x1="{x}" y1="{y + 1}" x2="{x}" y2="{y + 33}" stroke="#1e1e1e" stroke-width="3" '
                f'stroke-dasharray="4 3"/>'
            )
        note = f"{share.count} · {share.percent} %"
        if share.target is not None:
            note += " " + _("(cible %(target)d %%)") % {"target": share.target}
        parts.append(
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 8}" y="{y + 21}" font-size="14" '
            f'fill="#1e1e1e">{escape(note)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every interpolated text is escaped above
