"""formcheck app: live webcam coaching, video review and threshold tuning (``streamlit run app.py``)."""

from formcheck.ui.main import run

run()
