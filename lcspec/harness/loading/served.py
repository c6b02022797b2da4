"""The implementation as the bundled Python protocol server serves it (python -m lcspec.protocol.pyserver).

The server runs in the child process: it loads what `--impl` names with lcspec's own loader (every
form: a module, a file, module:attribute, cs231n:PATH), picks one variant of a CS231n assignment,
and serves its contract functions. What the judge needs to show results in the student's layout
travels as plain data in the handshake (`presentation`), so the judge never runs the student's code.
"""

from __future__ import annotations

import platform
from collections.abc import Callable

from lcspec import reference
from lcspec.harness.loading import LoadError, loaded
from lcspec.harness.loading.importer import CannotExpress
from lcspec.protocol import Unsupported


def _expressible(fn: Callable, module) -> Callable:
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except CannotExpress as exc:  # the layout's own way of saying it (cs231n_layout.cannot_express)
            raise Unsupported(str(exc)) from None

    return call


def load(target: str, variant: str | None = None) -> tuple[dict[str, Callable], dict]:
    """The served functions and the handshake's information about them (a LoadError says why not, in one paragraph)."""
    impls = loaded(target)
    chosen = next((i for i in impls if i.variant == variant), None) if variant else impls[0]
    if chosen is None:
        raise LoadError(f"{target} has no variant {variant!r} (it has {', '.join(str(i.variant) for i in impls)})")
    module = chosen.module
    functions = {name: _expressible(getattr(module, name), module) for name in reference.CONTRACT if chosen.provides(name)}
    presentation = module.presentation() if callable(getattr(module, "presentation", None)) else None
    if presentation is not None:
        presentation["variants"] = [i.variant for i in impls]
    declines = {f: {p: list(values) for p, values in d.items()}  # declared up front, never refused at a call
                for f, d in getattr(module, "DECLINES", {}).items() if f in functions}
    info = {"name": chosen.label if presentation else getattr(module, "__name__", chosen.label),
            "version": str(getattr(module, "__version__", "")), "language": f"Python {platform.python_version()}",
            "notes": chosen.notes, "presentation": presentation, "declines": declines}
    return functions, info
