"""The sandbox an implementation server runs in: bubblewrap (Debian's `bubblewrap`, the sandbox Flatpak uses).

`Sandbox.wrap(command)` is the command line that runs `command` inside it:

* the whole filesystem read-only (`--ro-bind / /`): the judge's files, its installation, the working
  directory and the rest of the machine can be read but not changed;
* a private, size-limited tmpfs on /tmp, /var/tmp and /dev/shm, gone when the sandbox ends;
* its own PID namespace (`--unshare-pid`): the implementation sees no process outside it, so it can signal
  none of them, and when the sandbox's first process dies the kernel kills every process in it, daemons
  that double-forked and ignore SIGTERM included; `--die-with-parent` ends it when the judge dies;
* no network (`--unshare-net`), its own IPC and UTS namespaces, a session of its own (no terminal to
  inject keystrokes into), and no capabilities.

`SandboxWatch` keeps the memory limit for the whole sandbox rather than per process: every poll it adds up
the proportional set size (PSS) of every process in the sandbox, so forking and shared mappings count once
each, plus what its tmpfs mounts hold, and kills the sandbox when the total passes the limit or when it
holds more processes than `MAX_PROCESSES`. (cgroups would do it in the kernel, but need root or a
delegated hierarchy, which a CI runner or a laptop seldom gives.)

`probe(mode)` says whether bubblewrap runs here: `auto` uses it when it does, `required` refuses to judge
without it, `off` never uses it. Only the standard library: this runs in the judge before the child starts.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

MODES = ("auto", "required", "off")
DEFAULT_MODE = "auto"
MAX_PROCESSES = 256
"""Processes the sandbox may hold at once: more is a fork bomb, not an implementation of a loss."""
POLL_SECONDS = 0.1
"""How often the watch measures the sandbox (a poll costs ~0.1 ms per process in it)."""
TMPFS_MOUNTS = ("/tmp", "/var/tmp", "/dev/shm")


class SandboxUnavailable(RuntimeError):
    """`--sandbox required` and bubblewrap is missing or refused to start here; the message says which."""


@dataclasses.dataclass(frozen=True)
class Sandbox:
    """bubblewrap's command line for one implementation server (see the module docstring)."""

    bwrap: str
    cwd: str
    tmpfs_bytes: int
    keep: tuple[str, ...] = ()
    """Paths the server needs (its interpreter, the implementation's files): those under a private tmpfs
    mount are bound back over it, read-only, so a checkout or a venv in /tmp is still seen."""

    def wrap(self, command: Sequence[str]) -> list[str]:
        mounts = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
        private = [path for path in TMPFS_MOUNTS if os.path.isdir(path)]  # a read-only root grows no mount point
        for path in private:
            mounts += ["--size", str(self.tmpfs_bytes), "--tmpfs", path]
        for path in dict.fromkeys(os.path.realpath(p) for p in (self.cwd, *self.keep)):
            if os.path.exists(path) and any(path.startswith(m + os.sep) for m in private):
                mounts += ["--ro-bind", path, path]
        return [self.bwrap, *mounts, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
                "--setenv", "TMPDIR", "/tmp", "--chdir", self.cwd, "--", *command]

    @property
    def description(self) -> str:
        return ("bubblewrap: read-only filesystem, private /tmp, own PID namespace, no network, "
                "memory limit on the whole sandbox")


@functools.lru_cache(maxsize=None)
def _bwrap_works(bwrap: str) -> str:
    """'' when `bwrap` starts a sandbox here, else why not (its own words): kernels or containers may refuse
    the namespaces it needs."""
    probe = Sandbox(bwrap, "/", 1 << 20).wrap(["/bin/sh", "-c", "exit 0"])
    try:
        done = subprocess.run(probe, stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if done.returncode == 0:
        return ""
    said = done.stderr.decode("utf-8", "replace").strip().splitlines()
    return said[-1] if said else f"exit status {done.returncode}"


def interpreter_paths() -> list[str]:
    """What a Python server started with this interpreter needs to see through the sandbox's private /tmp: the
    interpreter and its environment (a venv under /tmp), lcspec's own tree, and PYTHONPATH."""
    return [p for p in (sys.prefix, sys.base_prefix, os.path.dirname(sys.executable),
                        str(Path(__file__).resolve().parents[2]), *os.environ.get("PYTHONPATH", "").split(os.pathsep))
            if p]


def probe(mode: str, cwd: str, tmpfs_bytes: int, keep: Sequence[str] = ()) -> tuple[Sandbox | None, str]:
    """The sandbox to use under `mode` (running in `cwd`, with `keep` seen through its private /tmp), and
    one line for the report saying what runs where.

    Raises SandboxUnavailable when `mode` is required and bubblewrap cannot be used.
    """
    if mode not in MODES:
        raise ValueError(f"sandbox must be one of {', '.join(MODES)}, got {mode!r}")
    if mode == "off":
        return None, "off (--sandbox off): the implementation runs with your user's permissions"
    bwrap = shutil.which("bwrap")
    why = "bubblewrap (bwrap) is not installed" if bwrap is None else _bwrap_works(bwrap)
    if why:
        if mode == "required":
            raise SandboxUnavailable(f"--sandbox required, but {why}")
        return None, f"none ({why}): the implementation runs with your user's permissions"
    return Sandbox(bwrap, cwd, tmpfs_bytes, tuple(keep)), "bubblewrap"


def _children(pid: int) -> list[int]:
    found = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                found += [int(c) for c in f.read().split()]
    except (FileNotFoundError, ProcessLookupError, PermissionError, ValueError):
        pass
    return found


def processes(root: int) -> list[int]:
    """`root` and every process below it (in a PID namespace nothing escapes the tree: orphans go to its init)."""
    found, todo = [], [root]
    while todo and len(found) <= MAX_PROCESSES:
        pid = todo.pop()
        found.append(pid)
        todo += _children(pid)
    return found


PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def _rss_bytes(pid: int) -> int:
    """The process's resident memory, never less than its PSS, and read in O(1) (statm's second field)."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE_BYTES
    except (FileNotFoundError, ProcessLookupError, PermissionError, ValueError, IndexError):
        return 0


def _pss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError, PermissionError, ValueError):
        pass
    return 0


def _tmpfs_bytes(root: int) -> int:
    """What the sandbox's tmpfs mounts hold, seen through its root from outside (/proc/PID/root)."""
    total = 0
    for path in TMPFS_MOUNTS:
        try:
            stats = os.statvfs(f"/proc/{root}/root{path}")
        except OSError:
            continue
        total += (stats.f_blocks - stats.f_bfree) * stats.f_frsize
    return total


class SandboxWatch(threading.Thread):
    """Measures the sandbox rooted at `root` every POLL_SECONDS and calls `kill(reason)` once when it passes
    `limit` bytes (PSS of its processes plus its tmpfs contents) or MAX_PROCESSES processes."""

    def __init__(self, root: int, limit: int | None, kill: Callable[[str], None]):
        super().__init__(daemon=True, name="lcspec-sandbox-watch")
        self.root, self.limit, self._kill = root, limit, kill
        self._done = threading.Event()

    def measure(self) -> tuple[int, int]:
        """(bytes, processes) of the sandbox now: the PSS of its processes plus its tmpfs contents, or, while
        that cannot pass the limit, the RSS that bounds it (PSS is shared pages split among their sharers, RSS
        counts them whole; reading PSS walks every mapping, a third of a second of a CS231n folder's judge)."""
        pids = processes(self.root)
        inside = pids[2:]  # below bwrap and its init: the tmpfs is seen through a process that is in the sandbox
        files = _tmpfs_bytes(inside[0]) if inside else 0
        bound = sum(map(_rss_bytes, pids)) + files
        if self.limit is None or bound <= self.limit:
            return bound, len(pids)
        return sum(map(_pss_bytes, pids)) + files, len(pids)

    def run(self) -> None:
        while not self._done.wait(POLL_SECONDS):
            held, count = self.measure()
            if count > MAX_PROCESSES:
                self._kill(f"started more than {MAX_PROCESSES} processes in its sandbox")
                return
            if self.limit is not None and held > self.limit:
                self._kill(f"held {held / 2**30:.2f} GiB in its sandbox (processes and temporary files together), "
                           f"over the memory limit of {self.limit / 2**30:g} GiB")
                return

    def stop(self) -> None:
        self._done.set()



PR_SET_CHILD_SUBREAPER = 36


def adopt_orphans() -> bool:
    """Make this process the subreaper of its descendants (Linux): a daemon the implementation double-forks
    becomes this process's child rather than init's, so `kill_adopted` can end it. Without a sandbox this is
    what keeps a run's processes from outliving it; True when the kernel agreed."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def kill_adopted(keep: Sequence[int] = (), rounds: int = 20) -> int:
    """SIGKILL and reap every child of this process but `keep` (orphans adopted by `adopt_orphans`), until none
    is left (killing one may orphan its own children onto this process). Returns how many were killed."""
    killed = 0
    for _ in range(rounds):
        found = [pid for pid in _children(os.getpid()) if pid not in keep]
        if not found:
            break
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                killed += 1
            except (ProcessLookupError, ChildProcessError):
                pass
    return killed
