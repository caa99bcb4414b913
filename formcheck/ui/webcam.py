"""The pages' webcam: one streamlit-webrtc stream, set up the same for Live and Coach.

Video stays on this machine: the browser and the app talk over localhost, so no STUN or TURN
server is named (``iceServers`` empty). The camera is asked for 640x480, without sound; each
frame goes to ``on_frame`` (the page's holder) and comes back annotated.
"""

from __future__ import annotations

from collections.abc import Callable

import av

#: What the browser is asked for: a small picture is plenty for the pose model, and no sound.
MEDIA = {"video": {"width": {"ideal": 640}, "height": {"ideal": 480}}, "audio": False}
#: The video element: plays by itself, muted, no controls (the page starts and stops it).
VIDEO_ATTRS = {"autoPlay": True, "controls": False, "muted": True, "style": {"width": "100%"}}


def webcam(key: str, on_frame: Callable[[av.VideoFrame], av.VideoFrame], playing: bool | None = None) -> bool:
    """Show the webcam stream ``key``; whether it is playing now.

    Args:
        on_frame: streamlit-webrtc's video callback (runs on its own thread, must not wait).
        playing: False stops the stream; None leaves it to the person's START/STOP.
    """
    from streamlit_webrtc import WebRtcMode, webrtc_streamer  # slow import: only on camera pages

    ctx = webrtc_streamer(
        key=key, mode=WebRtcMode.SENDRECV, rtc_configuration={"iceServers": []}, media_stream_constraints=MEDIA,
        video_frame_callback=on_frame, async_processing=True, desired_playing_state=playing,
        video_html_attrs=VIDEO_ATTRS,
    )
    return bool(ctx.state.playing)


__all__ = ["webcam"]
