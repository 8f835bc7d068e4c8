package e2e

import (
	"flag"
	"fmt"
	"os"
	"testing"
)

// TestMain skips the whole suite under -short: every test starts servers
// or the Lambda binary, and some spend seconds preparing their input first.
func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("e2e: -short skips the end-to-end suite (every test starts servers)")
		return
	}
	os.Exit(m.Run())
}
