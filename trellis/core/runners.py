"""Which process runs a background job, and whether that process is still there.

In the embedded default a job runs in a thread of the web process (:mod:`trellis.core.jobs`:
every kind of job, roster imports included). If that process ends before the job does (a
restart, a deploy, a crash), nothing is left to finish the job or to mark it failed, and its
page would show "Running" forever. So every job row records its *runner*, ``host:pid:token``
(the token tells apart two processes that got the same pid one after the other), and a page
that reads a queued or running job asks :func:`runner_is_gone`: a runner on this host whose
process is no longer there (or whose pid now belongs to another process) will never finish
it, and the job is marked failed with a message that says to start it again
(:func:`trellis.core.actions.do_fail_job_if_runner_gone`). A runner on another host is
assumed alive: this process cannot see it.
"""

from __future__ import annotations

import os
import socket
import uuid

_TOKENS: dict[int, str] = {}


def this_runner() -> str:
    """This process, as a job row records it (a forked worker gets its own token)."""
    pid = os.getpid()
    token = _TOKENS.get(pid)
    if token is None:
        token = _TOKENS[pid] = uuid.uuid4().hex[:12]
    return f"{socket.gethostname()}:{pid}:{token}"[:120]


def runner_is_gone(runner: str) -> bool:
    """True when ``runner`` was a process on this host that no longer runs (see the module
    docstring); False when it may still be running, or when nothing was recorded."""
    parts = runner.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return False
    host, pid_text, _token = parts
    if host != socket.gethostname():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return runner != this_runner()  # our pid, an earlier process's token
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # a process we may not signal: it exists
    return False
