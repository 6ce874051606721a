"""Long-running processes set the garbage collector aside for what start-up made (in a child
process here: freezing the test process would keep every later test's garbage)."""
from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import gc
from edoc import create_app
from edoc.runtime import GC_THRESHOLDS, settle_after_startup

app = create_app({"ENV": "testing", "SECRET_KEY": "x" * 40, "DATABASE_URL": "sqlite://",
                  "STORAGE_BACKEND": "memory"})
assert gc.get_freeze_count() == 0
settle_after_startup()
assert gc.get_freeze_count() > 10_000, gc.get_freeze_count()
assert gc.get_threshold() == GC_THRESHOLDS
# Cycles made afterwards are still collected.
class Node:
    pass
a, b = Node(), Node()
a.other, b.other = b, a
del a, b
assert gc.collect() >= 2
print("ok")
"""


def test_settle_after_startup_freezes_startup_objects_and_still_collects_cycles():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_wsgi_and_the_workers_settle():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    assert "settle_after_startup()" in (root / "wsgi.py").read_text()
    for module in ("edoc/jobs/cli.py", "edoc/exchange/cli.py", "edoc/exchange/prefetch.py"):
        assert "settle_after_startup()" in (root / module).read_text(), module
