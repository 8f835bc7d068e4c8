// Package stdin lets a tool that reads its standard input say what it
// expects when that input is a terminal, where it would otherwise wait in
// silence for a user who meant to pipe a file in.
package stdin

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
)

// Hint writes expects, and how to end the input, to w when f is a
// terminal, and reports whether it did.
func Hint(w io.Writer, f *os.File, expects string) bool {
	if !term.IsTerminal(int(f.Fd())) {
		return false
	}
	fmt.Fprintf(w, "%s\n(reading from the terminal: type the lines, then Ctrl-D; or redirect a file to stdin)\n", expects)
	return true
}
