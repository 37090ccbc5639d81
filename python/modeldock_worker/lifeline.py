"""The worker dies with the Node instance process that started it.

A worker busy in user code (a load() that hangs, a long predict) does not read its
socket, so it would not notice its parent's death and would run on as an orphan once
the instance is SIGKILLed (startup timeout, memory watchdog, a killed platform).
On Linux the kernel sends SIGKILL when the parent dies (PR_SET_PDEATHSIG); a daemon
thread watching the parent pid covers other systems and the race at start.
"""
import ctypes
import os
import signal
import threading
import time

PR_SET_PDEATHSIG = 1


def hold(parent: int) -> None:
    """Exits this process when `parent` (the pid that started it) is gone."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # died before prctl took effect
        os._exit(70)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(70)

    threading.Thread(target=watch, name="modeldock-lifeline", daemon=True).start()
