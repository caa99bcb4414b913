"""The live clock: a camera frame in, the same pose stage and engine as review, cues and statistics out."""
