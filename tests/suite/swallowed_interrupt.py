"""A pytest plugin (`-p tests.suite.swallowed_interrupt`) that stands for a Ctrl-C landing where pytest swallows it.

Pressed while pytest renders a failure, Ctrl-C's KeyboardInterrupt can end up inside pytest's own error handling
(a TypeError in its traceback code), and the session then carries on and ends as if nothing had happened. Here
the first test's report gets the real signal, and the KeyboardInterrupt it raises is swallowed, deterministically.
"""

import os
import signal

_sent = []


def pytest_runtest_logreport(report):
    if report.when == "call" and not _sent:
        _sent.append(True)
        try:
            os.kill(os.getpid(), signal.SIGINT)
        except KeyboardInterrupt:
            pass  # what pytest's rendering did with it
