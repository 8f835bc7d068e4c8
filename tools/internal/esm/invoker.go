package esm

import (
	"context"
	"fmt"
	"net/http"

	"github.com/nyc-taxi/ridepred/internal/localproc"
)

// HTTPInvoker invokes a function through the Runtime Interface Emulator's
// invoke endpoint (.../2015-03-31/functions/function/invocations).
type HTTPInvoker struct {
	URL string
}

// Invoke posts payload; anything but 200 is a function error.
func (h HTTPInvoker) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	status, body, err := localproc.Post(ctx, h.URL, payload)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("invoke: status %d: %.200s", status, body)
	}
	return body, nil
}
