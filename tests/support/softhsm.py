"""One SoftHSM2 token directory per test process.

The SoftHSM library reads ``SOFTHSM2_CONF`` once, when a process first initialises it; two tests
with two configuration files in one process (as under pytest-xdist) would see only the first one's
tokens. Every PKCS#11 test therefore uses this one directory, each with its own token label.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

_CONF: Path | None = None


def shared_conf() -> Path:
    """The process's SoftHSM2 configuration file (created on first use, set in the environment)."""
    global _CONF
    if _CONF is None:
        base = Path(tempfile.mkdtemp(prefix="edoc-softhsm-"))
        (base / "tokens").mkdir()
        conf = base / "softhsm2.conf"
        conf.write_text(f"directories.tokendir = {base / 'tokens'}\n"
                        "objectstore.backend = file\nlog.level = ERROR\n")
        os.environ["SOFTHSM2_CONF"] = str(conf)
        _CONF = conf
    return _CONF
