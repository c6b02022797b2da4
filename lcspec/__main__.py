"""`python -m lcspec` and the `lcspec` command: the judge, started with an isolated import path.

Only the standard library runs here before the judge is started anew as `python -I -m lcspec`: no
working directory, script folder (a venv's bin/), PYTHONPATH or user site on its `sys.path`, so a
`numpy.py` or `pytest.py` that a submission leaves beside itself is never what the judge imports.
"""

import os
import sys


def isolated() -> bool:
    return bool(sys.flags.isolated or (sys.flags.ignore_environment and getattr(sys.flags, "safe_path", False)))


def main() -> int:
    if not isolated():
        os.execv(sys.executable, [sys.executable, "-I", "-m", "lcspec", *sys.argv[1:]])
    from lcspec.cli import main as command

    return command()


if __name__ == "__main__":
    sys.exit(main())
