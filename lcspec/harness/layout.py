"""How an implementation's own layout shows the contract to its author: one declared interface, not probed hooks.

An implementation written to the contract is its own layout (:class:`ContractLayout`: the contract's names
and indices, every input expressible, no reproduction of its own). A CS231n assignment loaded in this
process (lcspec/harness/loading/cs231n_layout.py) and an implementation in a child process
(lcspec/harness/isolation.py, from its handshake's `presentation`) are layouts of their own. The guard,
the recorder and the reproductions ask an implementation's `layout` and nothing else.
"""

from __future__ import annotations

from typing import Callable, Protocol, runtime_checkable


@runtime_checkable
class Layout(Protocol):
    unexpressed: str | None
    """The input the layout could not express on its last refusal (Δ = 0 for a CS231n file), for the reason a test
    whose every example was refused is skipped; None where it refuses nothing."""

    @property
    def hangs(self) -> dict[str, str]:
        """The contract functions the layout found hanging before any law called them, each with where it hung (a
        CS231n loss that did not return on the layout probe's problem): the guard fails their calls at once."""

    @property
    def unloadable(self) -> dict[str, str]:
        """The contract functions that cannot run at all, each with why (a CS231n function whose file, or a file it
        imports, could not be imported): the guard fails their calls at once, with that reason."""

    def student_name(self, name: str) -> str:
        """The implementation's own name for contract function `name` (svm_loss -> svm_loss_vectorized)."""

    def student_index(self, name: str, part: str, index: tuple) -> tuple:
        """An index into result `part` of `name`, as the implementation's layout has it (a transposed dW, say)."""

    def expresses(self, name: str, **arguments) -> bool:
        """Whether `name` can be called with these argument values at all (a CS231n file's Δ is 1, never 0)."""

    def reproduce(self, name: str, arguments: dict, result, expected, fmt: Callable) -> str | None:
        """A failing call as the implementation's author would make it, or None for lcspec's own form."""


class ContractLayout:
    """The layout of an implementation written to the contract itself: nothing to translate."""

    unexpressed: str | None = None

    @property
    def hangs(self) -> dict[str, str]:
        return {}

    @property
    def unloadable(self) -> dict[str, str]:
        return {}

    def student_name(self, name: str) -> str:
        return name

    def student_index(self, name: str, part: str, index: tuple) -> tuple:
        return index

    def expresses(self, name: str, **arguments) -> bool:
        return True

    def reproduce(self, name: str, arguments: dict, result, expected, fmt: Callable) -> str | None:
        return None
