package esm

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/nyc-taxi/ridepred/localstack/proc"
)

// HTTPInvoker invokes a function through the Runtime Interface Emulator's
// invoke endpoint (.../2015-03-31/functions/function/invocations).
type HTTPInvoker struct {
	URL string
}

// Invoke posts payload; anything but 200 is a function error.
func (h HTTPInvoker) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	status, body, err := proc.Post(ctx, h.URL, payload)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("invoke: status %d: %.200s", status, body)
	}
	return body, nil
}

// call invokes fn, taken from the pool, and waits for its answer at most
// FunctionTimeout; past that the invocation is a function error, as in
// Lambda. The call itself goes on, and fn goes back to the pool only when
// it ends: the emulator runs one invocation at a time (a second one while
// the first runs crashes it), and its own time-out, set to the same
// Timeout by localstack, ends a function that runs too long.
func (m *Mapping) call(ctx context.Context, fn Invoker, payload []byte) ([]byte, error) {
	type answer struct {
		body []byte
		err  error
	}
	done := make(chan answer, 1)
	go func() {
		body, err := fn.Invoke(ctx, payload)
		m.fns <- fn
		done <- answer{body, err}
	}()
	timeout := time.NewTimer(m.cfg.FunctionTimeout)
	defer timeout.Stop()
	select {
	case a := <-done:
		return a.body, a.err
	case <-timeout.C:
		return nil, fmt.Errorf("function timed out after %v (the next invocation waits until it ends)", m.cfg.FunctionTimeout)
	}
}
