package localkinesis

import (
	"net"
	"net/http"
	"time"
)

// httpClient keeps enough idle connections for the tools' parallel calls;
// the SDK's default keeps few, and a loopback server then sees a new
// connection for most calls.
var httpClient = http.Client{Transport: &http.Transport{
	DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
	MaxIdleConns:        64,
	MaxIdleConnsPerHost: 64,
	IdleConnTimeout:     90 * time.Second,
}}
