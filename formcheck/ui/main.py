"""The app's entry script: page config, navigation of the three pages, the safety notice.

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


def run() -> None:
    from formcheck.ui import live, review, tune
    from formcheck.ui.common import SAFETY_NOTICE
    from formcheck.ui.sessions import real_runtime

    if real_runtime() is not None:  # a real server, not AppTest
        log_to_console()

    st.set_page_config(page_title="formcheck", page_icon=":material/self_improvement:", layout="wide")
    page = st.navigation([
        st.Page(live.render, title="Live", icon=":material/videocam:", url_path="live", default=True),
        st.Page(review.render, title="Review", icon=":material/movie:", url_path="review"),
        st.Page(tune.render, title="Tune", icon=":material/tune:", url_path="tune"),
    ])
    with st.sidebar.expander("Safety", expanded=False):
        st.markdown(SAFETY_NOTICE)
    page.run()


if __name__ == "__main__":
    run()
