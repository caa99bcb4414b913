"""From landmarks to numbers: pure kinematics over arrays, smoothing filters, and the per-rule metric stream."""
