"""formcheck: computer-vision form checking for low-back-pain exercises.

The pipeline: source → pose → metrics → engine → session → outputs; see docs/architecture.md.
"""

__version__ = "0.1.0"
