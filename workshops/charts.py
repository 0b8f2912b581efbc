"""Server-rendered SVG charts: word clouds, position distribution, vote bars.

Pure functions: plain data in, an SVG string (marked safe) out, so the projector, the console
and the workshop report PDF (WeasyPrint) draw the same figures. No script, no inline CSS (strict
CSP): only SVG presentation attributes. Each chart is ``role="img"`` with a <title> and a
<desc> that states every figure in words, so nothing is conveyed by the drawing alone."""

import statistics
import textwrap
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import count

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

INK = "#1e1e1e"
MUTED = "#555555"
GRID = "#929292"
TONES = {"ideal": "#000091", "chaotic": "#c9191e", "neutral": "#000091"}
# Average glyph advance of Atkinson Hyperlegible, in em: enough to lay words out without overlap.
GLYPH_EM = 0.58
_ids = count(1)


def _chart_id(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


def _open_svg(*, prefix: str, width: int, height: int, title: str, desc: str) -> tuple[str, str]:
    chart_id = _chart_id(prefix)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{prefix}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'preserveAspectRatio="xMidYMid meet" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'font-family="Atkinson Hyperlegible, system-ui, sans-serif">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>'
    )
    return chart_id, head


def format_number(value: float) -> str:
    """« 6,5 » in French, « 6 » rather than « 6,0 »."""
    if float(value).is_integer():
        return str(int(value))
    return number_format(round(value, 1), decimal_pos=1)


# --- Word cloud ------------------------------------------------------------------------------------


def word_weights(texts: Iterable[str]) -> list[tuple[str, int]]:
    """Group identical words (case and spaces aside), most cited first, then alphabetically."""
    shown: dict[str, str] = {}
    counter: Counter[str] = Counter()
    for text in texts:
        cleaned = " ".join(text.split())
        key = cleaned.casefold()
        if key:
            shown.setdefault(key, cleaned)
            counter[key] += 1
    return sorted(((shown[k], n) for k, n in counter.items()), key=lambda kv: (-kv[1], kv[0].casefold()))


def word_cloud_svg(
    words: Sequence[tuple[str, int]],
    *,
    title: str,
    tone: str = "neutral",
    width: int = 640,
    height: int = 400,
    min_size: int = 20,
    max_size: int = 56,
    empty_text: str | None = None,
) -> SafeString:
    """Words as a centred cloud, the most cited the largest (and first): a deterministic flow
    layout (rows, centred), readable on a projector and in a PDF. ``words``: (text, count)."""
    words = [(text, weight) for text, weight in words if text][:60]
    if words:
        repeated = _("%(word)s (%(count)d fois)")
        desc = "; ".join(repeated % {"word": w, "count": n} if n > 1 else w for w, n in words)
    else:
        desc = empty_text or _("Aucune contribution pour l'instant.")
    _cid, head = _open_svg(prefix="cloud", width=width, height=height, title=title, desc=desc)
    parts = [head]
    color = TONES.get(tone, TONES["neutral"])
    if not words:
        parts.append(
            f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" font-size="{min_size}" '
            f'fill="{MUTED}">{escape(desc)}</text></svg>'
        )
        return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above

    top = max(n for _w, n in words)
    low = min(n for _w, n in words)
    padding, gap = 16, 18

    def size_of(weight: int) -> float:
        if top == low:
            return (min_size + max_size) / 2
        return min_size + (max_size - min_size) * (weight - low) / (top - low)

    # Sizes and lengths do not depend on the scale: computed once, not at each shrinking step (the
    # projector redraws the cloud of the pole being written at each new word).
    sized = [(text, weight, size_of(weight), len(text)) for text, weight in words]
    room = width - 2 * padding
    scale = 1.0
    while True:
        rows, row, row_width, row_top, total_height = [], [], 0.0, 0.0, 0.0
        for text, weight, base_size, length in sized:
            size = base_size * scale
            text_width = length * size * GLYPH_EM
            if row and row_width + gap + text_width > room:
                rows.append((row, row_width))
                total_height += row_top * 1.3
                row, row_width, row_top = [], 0.0, 0.0
            shown_width = min(text_width, room)
            row.append((text, weight, size, shown_width))
            row_width += (gap if len(row) > 1 else 0) + shown_width
            row_top = max(row_top, size)
        rows.append((row, row_width))
        total_height += row_top * 1.3
        if total_height <= height - 2 * padding or scale < 0.4:
            break
        scale *= 0.88

    y = (height - total_height) / 2
    for row, row_width in rows:
        line_height = max(item[2] for item in row) * 1.3
        x = (width - row_width) / 2
        baseline = y + line_height * 0.78
        for text, weight, size, text_width in row:
            squeeze = ""
            if len(text) * size * GLYPH_EM > text_width:
                squeeze = f' textLength="{text_width:.1f}" lengthAdjust="spacingAndGlyphs"'
            parts.append(
                f'<text x="{x:.1f}" y="{baseline:.1f}" font-size="{size:.1f}" '
                f'font-weight="{700 if weight == top else 400}" fill="{color}"{squeeze}>{escape(text)}</text>'
            )
            x += text_width + gap
        y += line_height
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


# --- Positions -------------------------------------------------------------------------------------


def median(values: Sequence[int]) -> float | None:
    return statistics.median(values) if values else None


def position_distribution_svg(
    values: Sequence[int],
    *,
    title: str,
    width: int = 720,
    height: int = 360,
    low_label: str | None = None,
    high_label: str | None = None,
) -> SafeString:
    """How many people chose each step of the 0 (chaotic) – 10 (ideal) scale, with the median
    drawn as a labelled line. ``values``: one integer per participant."""
    counts = Counter(values)
    mid = median(values)
    low_label = low_label or _("0 : chaotique")
    high_label = high_label or _("10 : idéal")
    if values:
        detail = ", ".join(
            ngettext("%(n)d personne à %(step)d", "%(n)d personnes à %(step)d", counts[step])
            % {"n": counts[step], "step": step}
            for step in range(11)
            if counts[step]
        )
        desc = ngettext(
            "%(total)d positionnement. Médiane : %(median)s sur 10. %(detail)s.",
            "%(total)d positionnements. Médiane : %(median)s sur 10. %(detail)s.",
            len(values),
        ) % {"total": len(values), "median": format_number(mid), "detail": detail}
    else:
        desc = _("Aucun positionnement pour l'instant.")
    _cid, head = _open_svg(prefix="positions", width=width, height=height, title=title, desc=desc)
    parts = [head]
    left, right, top, bottom = 40, 20, 48, 70
    plot_w, plot_h = width - left - right, height - top - bottom
    step_w = plot_w / 11
    highest = max(counts.values(), default=0) or 1
    base_y = top + plot_h
    parts.append(
        f'<line x1="{left}" y1="{base_y}" x2="{width - right}" y2="{base_y}" '
        f'stroke="{INK}" stroke-width="2"/>'
    )
    for step in range(11):
        n = counts[step]
        x = left + step * step_w
        bar_h = plot_h * n / highest
        if n:
            parts.append(
                f'<rect x="{x + step_w * 0.15:.1f}" y="{base_y - bar_h:.1f}" width="{step_w * 0.7:.1f}" '
                f'height="{bar_h:.1f}" fill="{TONES["neutral"]}" rx="3"/>'
                f'<text x="{x + step_w / 2:.1f}" y="{base_y - bar_h - 8:.1f}" text-anchor="middle" '
                f'font-size="22" font-weight="700" fill="{INK}">{n}</text>'
            )
        parts.append(
            f'<text x="{x + step_w / 2:.1f}" y="{base_y + 28}" text-anchor="middle" font-size="22" '
            f'fill="{INK}">{step}</text>'
        )
    parts.append(
        f'<text x="{left}" y="{height - 10}" font-size="20" '
        f'fill="{TONES["chaotic"]}">{escape(low_label)}</text>'
        f'<text x="{width - right}" y="{height - 10}" text-anchor="end" font-size="20" '
        f'fill="{TONES["ideal"]}">{escape(high_label)}</text>'
    )
    if mid is not None:
        mx = left + (mid + 0.5) * step_w
        label = _("médiane : %(median)s") % {"median": format_number(mid)}
        anchor = "end" if mid > 7 else "start"
        offset = -8 if anchor == "end" else 8
        parts.append(
            f'<line x1="{mx:.1f}" y1="{top - 14}" x2="{mx:.1f}" y2="{base_y}" stroke="{TONES["chaotic"]}" '
            f'stroke-width="4" stroke-dasharray="10 6"/>'
            f'<text x="{mx + offset:.1f}" y="{top - 20}" text-anchor="{anchor}" font-size="24" '
            f'font-weight="700" fill="{TONES["chaotic"]}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


# --- Vote bars -------------------------------------------------------------------------------------


def vote_bars_svg(
    items: Sequence[tuple[str, int]],
    *,
    title: str,
    width: int = 900,
    wrap: int = 70,
    font_size: int = 22,
) -> SafeString:
    """One horizontal bar per item, most points first as given, the label above its bar and the
    points written at the end of the bar. ``items``: (label, points)."""
    if items:
        desc = "; ".join(
            ngettext("%(label)s : %(points)d point", "%(label)s : %(points)d points", points)
            % {"label": label, "points": points}
            for label, points in items
        )
    else:
        desc = _("Aucun élément soumis au vote.")
    line_h = font_size * 1.25
    bar_h = font_size * 1.2
    blocks = [(textwrap.wrap(label, wrap) or [""], points) for label, points in items]
    height = int(sum(len(lines) * line_h + bar_h + font_size for lines, _p in blocks)) + 16 or 60
    _cid, head = _open_svg(prefix="votes", width=width, height=max(height, 60), title=title, desc=desc)
    parts = [head]
    if not items:
        parts.append(f'<text x="8" y="36" font-size="{font_size}" fill="{MUTED}">{escape(desc)}</text></svg>')
        return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
    highest = max(points for _l, points in items) or 1
    label_room = font_size * 4
    bar_max = width - 8 - label_room
    y = 8.0
    for lines, points in blocks:
        for line in lines:
            y += line_h
            parts.append(
                f'<text x="8" y="{y:.1f}" font-size="{font_size}" fill="{INK}">{escape(line)}</text>'
            )
        y += 6
        bar_w = max(bar_max * points / highest, 4 if points else 0)
        if bar_w:
            parts.append(
                f'<rect x="8" y="{y:.1f}" width="{bar_w:.1f}" height="{bar_h:.1f}" rx="3" '
                f'fill="{TONES["neutral"]}"/>'
            )
        parts.append(
            f'<text x="{8 + bar_w + 10:.1f}" y="{y + bar_h * 0.8:.1f}" font-size="{font_size}" '
            f'font-weight="700" fill="{INK}">{points}</text>'
        )
        y += bar_h + font_size - 6
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
