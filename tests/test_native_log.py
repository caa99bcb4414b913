"""The model's native log lines are sorted from everything else written to stderr."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from formcheck.pose.native_log import split_native_lines

NATIVE = [
    "INFO: [environment.cc:36] Creating LiteRT environment with options",
    "WARNING: [model_load.cc:402] Sparsity tensors may not yet be fully supported.",
    "INFO: Created TensorFlow Lite XNNPACK delegate for CPU.",
    "WARNING: Logging before InitGoogle() is written to STDERR",
    "W0000 00:00:1796188615.267639   19979 inference_runner_litert.cc:1433] Input tensor memory is not aligned",
    "I0000 00:00:1733.5   7 gl_context.cc:357] GL version: 3.2",
    "INFO: [accelerator_registry.cc:43] DestroyAccelerator: ptr=0x7f302c005360, name=CpuAccelerator",
]
OTHER = ["formcheck: error: x.mp4: no such file", "Traceback (most recent call last):", "analysing x.mp4:  40%"]


def test_native_lines_are_told_apart_from_the_rest():
    native, other = split_native_lines("\n".join(NATIVE + OTHER))
    assert native == NATIVE and other == OTHER


def run_routed(env_extra: str = "") -> subprocess.CompletedProcess:
    """A process that routes stderr, then writes native lines straight to descriptor 2."""
    script = textwrap.dedent(f"""
        import logging, os, sys
        {env_extra}
        from formcheck.pose.native_log import route_native_stderr
        logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
        if "--debug" in sys.argv:
            logging.getLogger("formcheck").setLevel(logging.DEBUG)
        routed = route_native_stderr()
        os.write(2, b"INFO: [environment.cc:36] Creating LiteRT environment\\nan ordinary line\\n")
        print("formcheck: error: one line", file=sys.stderr)
        import time; time.sleep(0.3)
        print("routed" if routed else "not routed")
    """)
    return subprocess.run([sys.executable, "-c", script, *(["--debug"] if "debug" in env_extra else [])],
                          capture_output=True, text=True, timeout=60)


def test_routing_keeps_native_lines_off_the_terminal():
    proc = run_routed()
    assert proc.stdout.strip() == "routed"
    lines = proc.stderr.splitlines()
    assert "formcheck: error: one line" in lines and "an ordinary line" in lines
    assert not any("LiteRT" in line for line in lines)


def test_debug_shows_native_lines_through_the_logger():
    proc = run_routed("sys.argv.append('--debug')  # debug")
    assert "formcheck.native: INFO: [environment.cc:36] Creating LiteRT environment" in proc.stderr


def test_show_leaves_stderr_alone():
    proc = run_routed("os.environ['FORMCHECK_NATIVE_LOG'] = 'show'")
    assert proc.stdout.strip() == "not routed"
    assert "INFO: [environment.cc:36] Creating LiteRT environment" in proc.stderr
