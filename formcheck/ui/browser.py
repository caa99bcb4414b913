"""What the pages ask the browser to do, from tiny scripts in iframes (same origin) acting on
the app's own page, inside containers that :data:`SPEECH_CSS` hides.

- Say cues aloud with speechSynthesis. Each cue has an id and is said once per tab, however
  often the page renders it, so a page may keep rendering its recent cues (a quick rerun then
  cannot drop one before the browser has run it).
- Press the camera component's own Start button (:func:`press_camera_start`). The component
  can also be started from Python (``desired_playing_state=True``), but then it may open two
  connections at once, whose hand-shakes spoil each other (measured: the Coach page's camera
  took 35-70 s, sometimes minutes, to play); a press opens one, as a person's click does.
"""

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

#: The camera component's iframe (streamlit-webrtc) and how its Start button reads.
CAMERA_IFRAME = "streamlit_webrtc.component.webrtc_streamer"
#: The camera's Start is pressed again if the camera is still not playing this long after a
#: press (a failed hand-shake shows Start again; the component gives one up after about 15 s).
CAMERA_RETRY_MS = 20_000
#: The script stops trying after this long (the page shows what to do instead).
CAMERA_GIVE_UP_MS = 180_000

_PRESS_START_JS = """<script>
(function () {
  var w = window.parent, doc, began = Date.now();
  try { doc = w.document; } catch (e) { return; }
  var timer = setInterval(function () {
    if (Date.now() - began > %(give_up)d) { clearInterval(timer); return; }
    doc.querySelectorAll('iframe[title="%(title)s"]').forEach(function (frame) {
      var d;
      try { d = frame.contentDocument; } catch (e) { return; }
      if (!d) { return; }
      var start = Array.prototype.find.call(d.querySelectorAll('button'), function (b) {
        return !b.disabled && b.textContent.trim().toLowerCase() === 'start';
      });
      if (start && Date.now() - (w.__formcheckCameraPress || 0) > %(retry)d) {
        w.__formcheckCameraPress = Date.now();
        start.click();
      }
    });
  }, 500);
})();
</script>"""

#: A cue to say: (id, words, cut off what is being said).
SpokenCue = tuple[str, str, bool]


def _js(value: object) -> str:
    """``value`` as a JavaScript literal that cannot close the ``<script>`` element."""
    return json.dumps(value).replace("</", "<\\/")


def _hidden_script(script: str, key: str) -> None:
    """Run ``script`` in a one-pixel iframe inside the hidden container ``fc_speech_<key>`` (:data:`SPEECH_CSS`)."""
    with st.container(key=f"fc_speech_{re.sub(r'[^A-Za-z0-9_]', '_', key)}"):
        st.iframe(script, height=1)


def say_cues(cues: Sequence[SpokenCue], key: str) -> None:
    """Say each cue not yet said in this tab, in order (one hidden iframe in container ``fc_speech_<key>``).
    The words are also kept in ``window.__formcheckCues`` (tests read them)."""
    data = [{"id": cue_id, "text": text, "interrupt": interrupt} for cue_id, text, interrupt in cues]
    _hidden_script(_SPEAK_JS % _js(data), key)


def speak(text: str, cue_id: str, interrupt: bool = True) -> None:
    """Say ``text`` once (``interrupt``: cut off what is being said, else wait its turn)."""
    say_cues([(cue_id, text, interrupt)], cue_id)


def press_camera_start(key: str) -> None:
    """Press the camera component's Start button for the person, once it is on the page, and
    again after a failed connection; render it only while the camera is not playing."""
    _hidden_script(_PRESS_START_JS % {"title": CAMERA_IFRAME, "retry": CAMERA_RETRY_MS, "give_up": CAMERA_GIVE_UP_MS},
                   key)


__all__ = [
    "CAMERA_GIVE_UP_MS", "CAMERA_IFRAME", "CAMERA_RETRY_MS", "SPEECH_CSS", "SpokenCue", "press_camera_start",
    "say_cues", "speak",
]
