// Package command runs the child processes of the tools (make, go, the
// generator, python3) and times them: bench, benchscale and refresh share it.
package command

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// New is exec.Command with env added to this process's environment and the
// command's output going to this process's stderr, where the tools log.
func New(env []string, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd
}

// Run runs New(env, name, args...); its error names the command.
func Run(env []string, name string, args ...string) error {
	if err := New(env, name, args...).Run(); err != nil {
		return fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return nil
}

// Timing is how long a command took and the peak resident set of its
// largest process.
type Timing struct {
	Wall    time.Duration
	PeakMiB float64
}

// Time runs cmd under /usr/bin/time, which reports the peak resident set of
// the largest process (for go build, the compiler or the linker). The
// figure comes from /usr/bin/time rather than from this process's rusage
// because a child that Go starts shares this process's memory until exec
// (vfork), and the kernel counts that in the child's ru_maxrss. Wall
// includes /usr/bin/time's own start, about a millisecond.
func Time(cmd *exec.Cmd) (Timing, error) {
	if cmd.Err != nil {
		return Timing{}, cmd.Err
	}
	f, err := os.CreateTemp("", "command-time")
	if err != nil {
		return Timing{}, err
	}
	f.Close()
	defer os.Remove(f.Name())
	timed := exec.Command("/usr/bin/time", append([]string{"-f", "%M", "-o", f.Name(), cmd.Path}, cmd.Args[1:]...)...)
	timed.Env, timed.Dir, timed.Stdin, timed.Stdout, timed.Stderr = cmd.Env, cmd.Dir, cmd.Stdin, cmd.Stdout, cmd.Stderr
	start := time.Now()
	err = timed.Run()
	wall := time.Since(start)
	if err != nil {
		return Timing{}, fmt.Errorf("%s: %w", strings.Join(cmd.Args, " "), err)
	}
	data, err := os.ReadFile(f.Name())
	if err != nil {
		return Timing{}, err
	}
	// The figure is the last line: /usr/bin/time may write others first.
	fields := strings.Fields(string(data))
	if len(fields) == 0 {
		return Timing{}, fmt.Errorf("/usr/bin/time wrote nothing for %s", strings.Join(cmd.Args, " "))
	}
	kib, err := strconv.ParseFloat(fields[len(fields)-1], 64)
	if err != nil {
		return Timing{}, fmt.Errorf("/usr/bin/time for %s: %w", strings.Join(cmd.Args, " "), err)
	}
	return Timing{Wall: wall, PeakMiB: kib / 1024}, nil
}
