"""The live clock: a camera frame in, the same pose stage and engine as review, cues and statistics out.

``session`` (LiveSession) composes ``worker`` (frame mailbox and pose thread), ``checklist``
(camera set-up), ``stats`` (throughput and delays); ``cues`` says the engine's events through
the shared cue policy.
"""

from formcheck.engine.machine import Engine
from formcheck.engine.status import EngineStatus
from formcheck.live.checklist import SETUP_HOLD_S, SetupCheck, SetupItem
from formcheck.live.cues import LiveCues
from formcheck.live.session import LiveSession
from formcheck.live.stats import LiveStats
from formcheck.live.worker import Estimator
from formcheck.pose.estimator import PoseOptions
from formcheck.results import SessionResult
from formcheck.rules.schema import Rule


def pain_stop_before_start(rule: Rule) -> SessionResult:
    """The result of a set stopped for pain before the camera gave its first frame."""
    engine = Engine(rule)
    engine.stop_for_pain()
    return engine.result()


__all__ = ["SETUP_HOLD_S", "EngineStatus", "Estimator", "LiveCues", "LiveSession", "LiveStats", "PoseOptions",
           "SetupCheck", "SetupItem", "pain_stop_before_start"]
