// Package doctest holds the tests of the docs (README.md, DEPLOY.md and the
// guides in docs/); it has no code of its own. They check that:
//
//   - docs/system.svg, README's picture, is what graphviz's dot draws from
//     docs/system.dot now (make docs redraws it);
//   - README's layout table names every top-level folder and every tools/
//     group and command;
//   - every model version the docs quote is the shipped model's;
//   - docs/contract.md's environment table lists every variable the
//     function reads;
//   - every measured figure (a number with a unit of time, size, rate,
//     ratio or share, or a dollar amount) in README.md, BENCHMARKS.md,
//     CAPACITY.md, DEPLOY.md and docs/ sits in a section a tool generates
//     from its stored results, or in a fenced block; prose keeps only goals
//     and limits (after ≤ ≥ < >), AWS's constants and this repository's
//     settings, each checked against the file that sets it
//     (TestFiguresHaveASource, TestSettingsHold);
//   - every fenced sh, bash or console block is marked with how it is
//     checked, parses (bash -n), uses no variable that it does not set
//     itself (or that allowedVars explains), and runs its aws commands
//     past AWS CLI v2's own help (each operation exists, each flag is one
//     of its options); the blocks marked <!-- doctest: run --> run in a
//     copy of the repository.
//
// The running and the aws help calls are skipped under -short:
//
//	go test -short ./docs/doctest    # the picture, the tables, the versions, parse and variables
//	go test ./docs/doctest           # also aws help for every aws command, and runs the run blocks (minutes)
package doctest
