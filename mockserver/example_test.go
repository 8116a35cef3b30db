package mockserver_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/decoy-mock/decoy/mockserver"
)

// Embedding the mock: load a project (here the embedded default API),
// build the server and serve it like any http.Handler.
func ExampleNew() {
	cfg, err := mockserver.LoadProject(context.Background(), mockserver.DefaultProject())
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg.Seed = 42
	srv, err := mockserver.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	for _, auth := range []string{"", "Bearer sk_test_123"} {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/v2/agents/agt_customer_support/sessions?limit=2", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// Output:
	// 401 application/json
	// 200 application/json
}
