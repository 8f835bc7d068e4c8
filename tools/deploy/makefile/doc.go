// Package makefile tests the Makefile's own behaviour and the tools'
// manuals: what a bare make (make help: its groups, its variables
// expanded) and make -n do, that make refresh and make shadow check MODEL
// before installing anything, what make deps does with the Python tools
// present or missing, and that every command under tools/ has a package
// doc with a runnable example. It is a test only.
//
//	go test -short ./tools/deploy/makefile   # help, make -n, the argument check, the package docs
//	go test ./tools/deploy/makefile          # and make deps in copies of the repository
package makefile
