"""The pose stage: the model bundle, the MediaPipe estimator, landmark names, and the
PoseTrack that every later stage reads."""
