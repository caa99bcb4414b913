"""The Streamlit faces of formcheck: one module per page plus shared widgets (``common``)."""
