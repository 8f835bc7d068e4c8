// Package lambdatest runs a built Lambda bootstrap under the real Runtime
// Interface Emulator for tests and local runs.
package testsupport

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Emulator is a running aws-lambda-rie serving one function.
type Emulator struct {
	URL  string // the invoke URL
	cmd  *exec.Cmd
	done chan struct{}
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start runs rie with the bootstrap command (a binary, or an interpreter and
// its script) on free loopback ports; env is the function's environment (the
// emulator passes its own on). Output goes to logs. It returns once the
// emulator accepts connections.
func StartEmulator(rie string, bootstrap []string, env []string, logs io.Writer) (*Emulator, error) {
	invokePort, err := FreePort()
	if err != nil {
		return nil, err
	}
	apiPort, err := FreePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", invokePort)
	args := append([]string{
		"--runtime-interface-emulator-address", addr,
		"--runtime-api-address", fmt.Sprintf("127.0.0.1:%d", apiPort),
	}, bootstrap...)
	cmd := exec.Command(rie, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logs, logs
	// Its own process group, so that Stop also ends the function it runs.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", rie, err)
	}
	e := &Emulator{URL: "http://" + addr + "/2015-03-31/functions/function/invocations", cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); close(e.done) }()
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			return e, nil
		}
		select {
		case <-e.done:
			return nil, fmt.Errorf("%s exited before listening", rie)
		default:
		}
		if time.Now().After(deadline) {
			e.Stop()
			return nil, fmt.Errorf("%s did not listen on %s", rie, addr)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Invoke posts one payload and returns the HTTP status and body.
func (e *Emulator) Invoke(ctx context.Context, payload []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, bytes.NewReader(payload))
	if err != nil {
		return 0, nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res.StatusCode, body, err
}

// Pid is the emulator's process id.
func (e *Emulator) Pid() int { return e.cmd.Process.Pid }

// Stop kills the emulator's process group and waits for it.
func (e *Emulator) Stop() {
	syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL)
	<-e.done
}

// FunctionPeakRSS is the largest peak resident set (VmHWM), in MiB, of the
// emulator's child processes: the function it runs.
func (e *Emulator) FunctionPeakRSS() float64 {
	stats, _ := filepath.Glob("/proc/[0-9]*/status")
	var peak float64
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil || !strings.Contains(string(b), fmt.Sprintf("\nPPid:\t%d\n", e.cmd.Process.Pid)) {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			var kib float64
			if _, err := fmt.Sscanf(line, "VmHWM: %f kB", &kib); err == nil {
				peak = max(peak, kib/1024)
			}
		}
	}
	return peak
}
