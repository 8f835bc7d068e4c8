// Command fma is TestNoFusedMultiplyAdd's control: a*b + c, which Go's
// arm64 compiler fuses into one FMADDD, so that the test sees its
// detector find a fused instruction where there is one.
package main

import "os"

//go:noinline
func fused(a, b, c float64) float64 { return a*b + c }

func main() { os.Exit(int(fused(float64(len(os.Args)), 2, 3))) }
