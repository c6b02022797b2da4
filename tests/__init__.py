"""lcspec's laws: the property tests, one module per chapter, which are also the conformance suite.

Installed as `lcspec.tests`; `lcspec check` (lcspec/cli.py) runs the `test_*.py` modules of this
folder against an implementation, through the pytest plugin lcspec/plugin.py. The laws import
each other relatively (`from .strategies import ...`), so they are the same modules in a checkout
(`pytest tests`) and installed. `suite/` (the suite's own tests) and `adapters/` (implementations
under test) are not laws.
"""
