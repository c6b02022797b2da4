"""lcspec: a literate, property-tested reference specification of how a linear classifier learns.

The distribution maps the repository's layout under one name: `lcspec.reference` (reference/),
`lcspec.tests` (tests/, the laws), `lcspec.spec` (spec/, the clauses and golden vectors, as data),
and, in this folder, the harness that runs the laws against an implementation (`lcspec.harness`),
the pytest plugin (`lcspec.plugin`) and the command (`lcspec.cli`, `python -m lcspec`).
"""

__version__ = "0.2.0"
