"""The app's entry script: page config, navigation, the person box, the safety notice, and the
red-flag check in front of the camera pages (Coach and Live).

``streamlit run app.py`` (repo) and ``streamlit run <this file>`` (an installed package,
e.g. from ``formcheck app``) run the same thing. Settings: ``.streamlit/config.toml`` in the
working folder, or the equivalent flags (see :data:`SERVER_FLAGS`).
"""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

#: The settings of ``.streamlit/config.toml`` as command-line flags (for ``formcheck app``).
SERVER_FLAGS = ("--server.address", "localhost", "--server.headless", "true", "--browser.gatherUsageStats", "false",
                "--server.maxUploadSize", "1024", "--server.maxMessageSize", "1024",
                "--server.disconnectedSessionTTL", "120")
SCRIPT = Path(__file__)


def log_to_console() -> None:
    """formcheck's log lines (INFO and up) go to the server's console like Streamlit's own.
    They never hold an upload's name or anything a user typed (see docs/app.md)."""
    logger = logging.getLogger("formcheck")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.INFO)


def _coach_page() -> None:
    from formcheck.ui import coach, safety

    if safety.gate("Coach"):
        coach.render()


def _live_page() -> None:
    from formcheck.ui import live, safety

    if safety.gate("Live coaching"):
        live.render()


def run() -> None:
    from formcheck.ui import history, programme_builder, review, safety, tune
    from formcheck.ui.common import SAFETY_NOTICE
    from formcheck.ui.sessions import real_runtime
    from formcheck.ui.store import person_box

    if real_runtime() is not None:  # a real server, not AppTest
        log_to_console()

    st.set_page_config(page_title="formcheck", page_icon=":material/self_improvement:", layout="wide")
    page = st.navigation({
        "Exercise": [
            st.Page(_live_page, title="Live", icon=":material/videocam:", url_path="live", default=True),
            st.Page(_coach_page, title="Coach", icon=":material/record_voice_over:", url_path="coach"),
            st.Page(history.render, title="History", icon=":material/monitoring:", url_path="history"),
            st.Page(safety.render, title="Safety check", icon=":material/health_and_safety:", url_path="safety"),
        ],
        "Physio": [
            st.Page(review.render, title="Review", icon=":material/movie:", url_path="review"),
            st.Page(tune.render, title="Tune", icon=":material/tune:", url_path="tune"),
            st.Page(programme_builder.render, title="Programme builder", icon=":material/edit_note:",
                    url_path="builder"),
        ],
    })
    person_box()
    with st.sidebar.expander("Safety", expanded=False):
        st.markdown(SAFETY_NOTICE)
    page.run()


if __name__ == "__main__":
    run()
