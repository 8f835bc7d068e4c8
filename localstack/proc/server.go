package proc

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Server is a local server process the tests and the local stack start
// (kinesalite, the Lambda emulator, moto) in its own process group, so
// that Stop ends it and whatever it started.
type Server struct {
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

// StartServer starts cmd and returns once it accepts connections on addr,
// or fails if it exits first or takes longer than wait.
func StartServer(cmd *exec.Cmd, addr string, wait time.Duration) (*Server, error) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	s := &Server{cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); close(s.done) }()
	for deadline := time.Now().Add(wait); ; time.Sleep(5 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
			c.Close()
			return s, nil
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("%s exited before listening on %s", cmd.Path, addr)
		default:
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("%s did not listen on %s within %v", cmd.Path, addr, wait)
		}
	}
}

// Pid is the server's process id (and its process group's).
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Stop kills the server's process group and waits for the server.
func (s *Server) Stop() {
	syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	<-s.done
}

// Post sends payload to url and returns the status and body: a Lambda
// invocation through the emulator's invoke endpoint.
func Post(ctx context.Context, url string, payload []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
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

// Logs collects the output of servers that write at once: in memory,
// where unlike a bytes.Buffer it may be read while they still write, or,
// with W set, into W, one write at a time (several processes' output
// sharing one file).
type Logs struct {
	W   io.Writer
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.W != nil {
		return l.W.Write(p)
	}
	return l.buf.Write(p)
}

// String is what was written so far (nothing, with W set).
func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Forward sends a request, with body already read from it, on to target
// and copies the answer back: the pass-through half of the fault-injecting
// proxies that tests put in front of kinesalite.
func Forward(w http.ResponseWriter, r *http.Request, target string, body []byte) {
	u, err := url.Parse(target)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	r = r.Clone(r.Context())
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	r.Header.Del("Content-Length")
	(&httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(u) }}).ServeHTTP(w, r)
}
