package proc

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// WithLock runs fn while holding an exclusive lock (flock) on the file at
// path, which it creates, with its directory, if missing. go test runs the
// packages of ./... as parallel processes; what they share on disk (the
// binaries in build/, kinesalite's node_modules) is made under such a lock,
// one process at a time. The kernel drops the lock when the process ends, so
// a test that dies leaves no stale lock behind.
func WithLock(path string, fn func() error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close() // closing releases the lock
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("lock %s: %w", path, err)
	}
	return fn()
}
