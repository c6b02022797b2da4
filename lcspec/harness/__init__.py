"""The harness that runs lcspec's laws against an implementation and gives the verdict.

Modules, each holding one thing, with no import cycles. `loading` is the child's side of the process
boundary (the bundled Python server runs it): it imports nothing of the rest, and the rest may import it.

* `clauses`       the spec's data: clauses, chapters, levels, the spec's version
* `contract`      the registry: what the suite knows about each contract function
* `differential`  an implementation's result against the reference's, within the registry's bound
* `session`       the run: implementations, the precisions they are judged at, the running example
* `precision`     the tolerances and input precision the laws use, from the active session
* `loading`       how `--impl` values become implementations (modules, files, the CS231n layout), as plain data
* `guard`         every call an implementation gets goes through it
* `isolation`     an implementation in a supervised child process (lcspec/protocol), as a module the guard calls
* `inprocess`     an implementation loaded into the judge itself (--in-process, the suite's own tests)
* `adapting`      argument checks for wrappers that map a library onto the contract
* `deviations`    declared deviations: read, matched, made expected failures
* `reproduce`     the paste-able reproduction of a failing call
* `examples`      the example cache: a passing law's examples kept, and replayed in the next run
* `record`        the pytest hooks that record each test's outcome (in `item.stash`)
* `verdict`       the pure function from outcomes to the JSON report, and its schema
* `render`        the report on the terminal
* `profiles`      the Hypothesis profiles
"""
