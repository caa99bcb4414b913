"""What a result becomes: the drawn overlay, the annotated H.264 video, text/CSV/JSON reports and plots."""
