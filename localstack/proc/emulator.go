package proc

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Emulator is a running aws-lambda-rie serving one function.
type Emulator struct {
	*Server
	URL string // the invoke URL
}

// StartEmulator runs rie with the bootstrap command (a binary, or an
// interpreter and its script) on free loopback ports; env is the function's
// environment (the emulator passes its own on). Output goes to logs. It
// returns once the emulator accepts connections.
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
	s, err := StartServer(cmd, addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	return &Emulator{Server: s, URL: "http://" + addr + "/2015-03-31/functions/function/invocations"}, nil
}

// Invoke posts one payload and returns the HTTP status and body.
func (e *Emulator) Invoke(ctx context.Context, payload []byte) (int, []byte, error) {
	return Post(ctx, e.URL, payload)
}

// FunctionPeakRSS is the largest peak resident set (VmHWM), in MiB, of the
// emulator's child processes: the function it runs.
func (e *Emulator) FunctionPeakRSS() float64 {
	stats, _ := filepath.Glob("/proc/[0-9]*/status")
	var peak float64
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil || !strings.Contains(string(b), fmt.Sprintf("\nPPid:\t%d\n", e.Pid())) {
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
