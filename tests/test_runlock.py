"""One run per cohort: the lock refuses a second holder, names the first, and dies with its holder."""

import subprocess
import sys

import pytest

from oncomix.errors import OncomixInputError
from oncomix.runlock import hold_cohort_lock

HOLDER = (
    "import sys, time; from oncomix.runlock import hold_cohort_lock; "
    "lock = hold_cohort_lock(sys.argv[1], 'first run'); print('held', flush=True); time.sleep(60)"
)


def test_a_held_cohort_is_refused_until_its_holder_is_killed(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(
            OncomixInputError, match=rf"another run of this cohort is going on \(pid {holder.pid} on .*: first run\)"
        ):
            hold_cohort_lock(tmp_path, "second run")
    finally:
        holder.kill()
        holder.wait()
    lock = hold_cohort_lock(tmp_path, "third run")  # a killed holder leaves no lock behind
    assert "third run" in (tmp_path / ".lock").read_text()
    lock.close()


def test_other_cohorts_are_not_held(tmp_path):
    first = hold_cohort_lock(tmp_path / "a", "run a")
    second = hold_cohort_lock(tmp_path / "b", "run b")
    first.close()
    second.close()
