"""What the pages ask the browser to say: cues aloud with speechSynthesis, from a tiny script in
an iframe (same origin) acting on the app's own page, inside a container that
:data:`SPEECH_CSS` hides. Each cue has an id and is said once per tab, however often the
page renders it, so a page may keep rendering its recent cues (a quick rerun then cannot
drop one before the browser has run it)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import streamlit as st

#: Hides the speech containers (keys ``fc_speech…``) without stopping their iframes from loading.
SPEECH_CSS = ('[class*="st-key-fc_speech"] { position: absolute; width: 1px; height: 1px; overflow: hidden; '
              "opacity: 0; pointer-events: none; }")

_SPEAK_JS = """<script>
(function () {
  var cues = %s, w = window;
  try { if (window.parent && window.parent.speechSynthesis) { w = window.parent; } } catch (e) { w = window; }
  w.__formcheckCues = w.__formcheckCues || [];
  cues.forEach(function (cue) {
    if (w.__formcheckCues.some(function (c) { return c.id === cue.id; })) { return; }
    w.__formcheckCues.push({id: cue.id, text: cue.text, t: Date.now()});
    if (!w.speechSynthesis) { return; }
    if (cue.interrupt) { w.speechSynthesis.cancel(); }
    var u = new w.SpeechSynthesisUtterance(cue.text);
    u.rate = 0.95;
    w.speechSynthesis.speak(u);
  });
})();
</script>"""

#: A cue to say: (id, words, cut off what is being said).
SpokenCue = tuple[str, str, bool]


def _js(value: object) -> str:
    """``value`` as a JavaScript literal that cannot close the ``<script>`` element."""
    return json.dumps(value).replace("</", "<\\/")


def say_cues(cues: Sequence[SpokenCue], key: str) -> None:
    """Say each cue not yet said in this tab, in order (one hidden iframe in container ``fc_speech_<key>``).
    The words are also kept in ``window.__formcheckCues`` (tests read them)."""
    data = [{"id": cue_id, "text": text, "interrupt": interrupt} for cue_id, text, interrupt in cues]
    with st.container(key=f"fc_speech_{re.sub(r'[^A-Za-z0-9_]', '_', key)}"):
        st.iframe(_SPEAK_JS % _js(data), height=1)


def speak(text: str, cue_id: str, interrupt: bool = True) -> None:
    """Say ``text`` once (``interrupt``: cut off what is being said, else wait its turn)."""
    say_cues([(cue_id, text, interrupt)], cue_id)


__all__ = ["SPEECH_CSS", "SpokenCue", "say_cues", "speak"]
