"""The camera pages' look (CSS): the big red "Stop — it hurts" button and the cue banners."""

from __future__ import annotations

from formcheck.ui.browser import SPEECH_CSS

_PAIN = """.st-key-{key} button {{ min-height: 4.5rem; font-size: 1.6rem; font-weight: 700; background: #c62828;
  border-color: #c62828; color: #fff; }}
.st-key-{key} button p {{ font-size: 1.6rem; }}"""

CUE_CSS = """.fc-cue { font-size: 2rem; line-height: 1.25; font-weight: 700; padding: .6rem .9rem;
  border-radius: .5rem; }
.fc-cue.fault { background: #c62828; color: #fff; } .fc-cue.setup { background: #ffd200; color: #000; }
.fc-cue.guidance { background: #1450be; color: #fff; } .fc-cue.ok { background: #2e7d32; color: #fff; }"""


def camera_page_style(pain_key: str, extra: str = "") -> str:
    """A ``<style>`` element for ``st.html``: the pain button of widget ``pain_key``, the cue banners
    (``<div class="fc-cue fault|setup|guidance|ok">``), the hidden speech iframes and ``extra`` rules."""
    return f"<style>\n{_PAIN.format(key=pain_key)}\n{CUE_CSS}\n{SPEECH_CSS}\n{extra}\n</style>"


__all__ = ["CUE_CSS", "camera_page_style"]
