"""Frame sources: video files decoded with their own clock and rotation; light in the picture."""
