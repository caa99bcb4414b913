"""Refit recognition's calibration (the postures file's ``calibration:``) on the labelled clips.

Scores every clip of ``labels.toml`` with recognition (the hand-set rule scores, nothing fitted),
fits the three-number logistic calibration on all of them
(:func:`formcheck.evaluation.calibrate.fit_calibration`) and prints the line to store in
``pose_rules/postures/postures.yaml``, with the leave-one-clip-out figure (each clip judged by a
calibration fitted on the other clips only, as ``formcheck eval`` reports it).

    FORMCHECK_MODEL_DIR=../shared/models python benchmarks/fit_calibration.py \\
        ../shared/sample_videos/labels.toml [--cache DIR]
"""

from __future__ import annotations

import argparse

from formcheck.evaluation.calibrate import Example, fit_calibration, leave_one_out, loco_summary
from formcheck.evaluation.evaluate import evaluate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labels")
    parser.add_argument("--cache", metavar="DIR", help="landmark cache directory")
    args = parser.parse_args()
    scores = [s for s in evaluate(args.labels, cache_dir=args.cache) if s.ranking]
    examples = [Example(s.label.exercise, s.ranking) for s in scores]
    cal = fit_calibration(examples)
    loco = loco_summary(examples, leave_one_out(examples))
    print(f"calibration: {{intercept: {cal.intercept:.3f}, score: {cal.score:.3f}, margin: {cal.margin:.3f}, "
          f'fitted_on: "{len(examples)} shared clips (labels.toml), benchmarks/fit_calibration.py"}}')
    print(f"leave-one-clip-out: {loco['right']}/{loco['checked']} right, "
          f"non-catalogue declined {loco['non_catalogue_declined']}/{loco['non_catalogue']}")


if __name__ == "__main__":
    main()
