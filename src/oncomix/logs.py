"""Logging for workflow steps: a step logs to its own file and stops with one readable line on bad input."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

from threadpoolctl import threadpool_limits

from oncomix.errors import OncomixInputError


def run_step(step: Callable[[], None], log_path: str | Path, threads: int = 1) -> None:
    """Run ``step`` with logging to ``log_path`` and stderr and BLAS limited to ``threads``.

    Bad input (``OncomixInputError``) ends the step with its message and exit status 1, without a traceback;
    any other error is a bug and keeps its traceback in the log.
    """
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=[logging.FileHandler(log_path, mode="w"), logging.StreamHandler(sys.stderr)],
        force=True,
    )
    logging.captureWarnings(True)
    try:
        with threadpool_limits(limits=threads):
            step()
    except OncomixInputError as error:
        logging.getLogger("oncomix").error("%s", error)
        sys.exit(1)
    except Exception:
        logging.getLogger("oncomix").exception("unexpected error (please report it with this log)")
        raise
