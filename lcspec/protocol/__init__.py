"""lcspec-protocol/1: how the judge talks to an implementation under test running in a child process.

The normative text is spec/protocol.md. Here: `wire` (values to JSON and back, exactly), `child`
(the judge's side: a supervised child process with per-call time limits, restarts and capped
stderr) and `pyserver` (the server side for implementations written in Python).
"""

PROTOCOL = 1
"""The protocol version this package speaks (`"protocol": 1` in the handshake)."""
NAME = "lcspec-protocol/1"
DEFAULT_CALL_TIMEOUT = 10.0
"""Seconds one call may take before the judge calls it a hang (the suite's inputs are tiny; the judge's own time in
call-backs is not counted)."""
RESULTS_KEPT = 8
"""How many recent calls' results both sides keep for "changed" (protocol §3): the server to see which a later call
overwrote, the judge to write the new contents into; a law compares the results of a few calls at most."""


class Unsupported(Exception):
    """Raised by a served Python function to answer the protocol's "Unsupported" (matched by this class, never by
    its name). The judge sends only inputs the handshake did not decline, so this answer fails the call: an
    implementation declares what it cannot take up front (the handshake's constraints and declines)."""
