package esm

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
)

// HTTPInvoker invokes a function through the Runtime Interface Emulator's
// invoke endpoint (.../2015-03-31/functions/function/invocations).
type HTTPInvoker struct {
	URL string
}

// Invoke posts payload; anything but 200 is a function error.
func (h HTTPInvoker) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("invoke: status %d: %.200s", res.StatusCode, body)
	}
	return body, nil
}
