package main

import "fmt"

// Draw is not written yet.
func Draw(body, metrics, out, python string) error { return fmt.Errorf("-draw: not yet") }
