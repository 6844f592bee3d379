"""Quality gate: Great Expectations suites built from the entity spec, and a runner for them.

`suites` builds plain GX 1.x suite JSON (no GX import); `gx_runner` validates pandas frames and
imports GX lazily, because importing it costs seconds.
"""
