"""One run per cohort at a time: an exclusive lock on ``results/<cohort>/.lock``, held while the run lives.

A POSIX lock (``fcntl.lockf``, which also holds across the nodes of an NFS file system) is released by the
operating system when the process holding it ends, however it ends (Ctrl-C, a SLURM time limit, SIGKILL), so a
killed run never leaves a lock that would refuse the next one. The file says who holds it.
"""

from __future__ import annotations

import errno
import fcntl
import os
import socket
import time
from pathlib import Path
from typing import IO

from oncomix.errors import OncomixInputError

LOCK_FILE = ".lock"


def hold_cohort_lock(folder: Path, command: str) -> IO:
    """Lock ``folder`` for this process and write who holds it; keep the returned file open for the run's life.
    Raises ``OncomixInputError`` naming the holder when another process holds it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    handle = open(folder / LOCK_FILE, "a+", encoding="utf-8")
    try:
        fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        if error.errno not in (errno.EACCES, errno.EAGAIN):
            raise
        handle.seek(0)
        holder = handle.read(1000).strip() or "a process that has not written its name yet"
        handle.close()
        raise OncomixInputError(
            f"{folder}: another run of this cohort is going on ({holder}); wait for it to end, or stop it, then start "
            "this one again"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(
        f"pid {os.getpid()} on {socket.gethostname()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}: {command}\n"
    )
    handle.flush()
    return handle
