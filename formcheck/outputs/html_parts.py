"""Building blocks of the self-contained HTML reports: the page with its print CSS, tables,
fact lists and inlined images. Every piece of text is escaped here; a cell that is already
HTML is wrapped in :class:`Raw`."""

from __future__ import annotations

import base64
import html
import math
import time
from collections.abc import Iterable, Sequence

#: Said at the foot of every report.
NOT_A_DIAGNOSIS = (
    "formcheck counts repetitions and gives form cues from a camera. It is not a diagnosis and does not "
    "replace a clinician's advice. Stop if an exercise hurts, and see a GP or physiotherapist about pain "
    "that spreads down a leg, numbness, tingling or weakness."
)

CSS = """
@page { size: A4; margin: 15mm }
* { box-sizing: border-box }
body { font: 11pt/1.4 "DejaVu Sans", Arial, sans-serif; color: #111; margin: 0 auto; max-width: 180mm;
       padding: 8mm 0 }
h1 { font-size: 17pt; margin: 0 0 2mm } h2 { font-size: 13pt; margin: 6mm 0 2mm; border-bottom: 1px solid #999 }
h3 { font-size: 11pt; margin: 4mm 0 1mm }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm; font-size: 9.5pt }
th, td { border: 1px solid #bbb; padding: 1mm 1.5mm; text-align: left; vertical-align: top }
th { background: #eee } td.n { text-align: right; font-variant-numeric: tabular-nums }
thead { display: table-header-group } tr, figure, ul, dl, .keep { break-inside: avoid; page-break-inside: avoid }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.5mm 4mm; margin: 0 }
dl.facts dt { font-weight: bold } dl.facts dd { margin: 0 }
img { max-width: 100%; height: auto } figure { margin: 0 0 3mm } figcaption { font-size: 9pt; color: #333 }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0 3mm }
h3 { break-after: avoid; page-break-after: avoid }
.note { font-size: 9pt; color: #444; border-top: 1px solid #999; margin-top: 6mm; padding-top: 2mm }
.bad { color: #a00 } .muted { color: #666 }
@media print { body { padding: 0; max-width: none } h2 { break-after: avoid; page-break-after: avoid } }
"""


class Raw(str):
    """Text that is already HTML: put in a page as it is, never escaped again."""


def esc(value: object) -> Raw:
    """``value`` as HTML text (a :class:`Raw` value stays as it is, so nothing is escaped twice)."""
    return value if isinstance(value, Raw) else Raw(html.escape(str(value), quote=True))


def num(value: float | None, digits: int = 1, unit: str = "") -> str:
    """``value`` rounded, with ``unit``; ``-`` for None, NaN and infinities."""
    if value is None or not math.isfinite(float(value)):
        return "-"
    text = f"{float(value):.{digits}f}"
    return f"{text} {unit}" if unit else text


def date_text(epoch_s: float, with_time: bool = True) -> str:
    """A Unix time as local ``YYYY-MM-DD HH:MM`` (or the date alone)."""
    return time.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d", time.localtime(epoch_s))


def data_uri(data: bytes, mime: str) -> str:
    """``data`` inlined as a ``data:`` URI (base64)."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def image(data: bytes, alt: str, caption: str = "") -> Raw:
    """A figure with the PNG or JPEG ``data`` inlined and an escaped caption."""
    mime = "image/png" if data[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg"
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return Raw(f'<figure><img src="{data_uri(data, mime)}" alt="{esc(alt)}">{cap}</figure>')


def _cell(value: object, tag: str) -> str:
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    return f'<{tag} class="n">{esc(value)}</{tag}>' if numeric else f"<{tag}>{esc(value)}</{tag}>"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], cls: str = "") -> Raw:
    """A table with a header row; numbers are right-aligned, every cell escaped."""
    head = "".join(_cell(h, "th") for h in headers)
    body = "".join("<tr>" + "".join(_cell(v, "td") for v in row) + "</tr>\n" for row in rows)
    attr = f' class="{esc(cls)}"' if cls else ""
    return Raw(f"<table{attr}><thead><tr>{head}</tr></thead><tbody>\n{body}</tbody></table>")


def facts(pairs: Iterable[tuple[str, object]]) -> Raw:
    """Label: value pairs as a compact definition list (pairs whose value is empty are left out)."""
    items = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in pairs if v not in (None, ""))
    return Raw(f'<dl class="facts">{items}</dl>')


def paragraph(text: object, cls: str = "") -> Raw:
    """One escaped paragraph."""
    attr = f' class="{esc(cls)}"' if cls else ""
    return Raw(f"<p{attr}>{esc(text)}</p>")


def bullets(items: Iterable[object]) -> Raw:
    """An escaped bullet list."""
    return Raw("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>")


def heading(text: str) -> Raw:
    """A sub-heading inside a section, kept with what follows it."""
    return Raw(f"<h3>{esc(text)}</h3>")


def block(parts: Iterable[object]) -> Raw:
    """Parts kept together on one printed page when they fit."""
    return Raw('<div class="keep">' + "".join(esc(p) for p in parts) + "</div>")


def grid(parts: Iterable[object]) -> Raw:
    """Parts (figures) side by side, two to a row; a row is never split across pages."""
    return Raw('<div class="grid">' + "".join(esc(p) for p in parts) + "</div>")


def section(title: str, *parts: object) -> Raw:
    """A titled section of the page; parts are escaped unless :class:`Raw`."""
    return Raw(f"<section><h2>{esc(title)}</h2>\n" + "\n".join(esc(p) for p in parts) + "</section>")


def page(title: str, parts: Iterable[object], note: str = NOT_A_DIAGNOSIS) -> str:
    """The whole HTML document: ``title`` as its heading, the parts, then ``note`` at its foot."""
    body = "\n".join(esc(p) for p in parts)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>\n<body>\n<h1>{esc(title)}</h1>\n"
        f'{body}\n<p class="note">{esc(note)}</p>\n</body></html>\n'
    )


__all__ = [
    "CSS", "NOT_A_DIAGNOSIS", "Raw", "block", "bullets", "data_uri", "date_text", "esc", "facts", "grid", "heading",
    "image", "num", "page", "paragraph", "section", "table",
]  # fmt: skip
