package mockserver_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"

	"github.com/decoy-mock/decoy/cmd/decoy/defaultapi"
	"github.com/decoy-mock/decoy/mockserver"
)

// newDefaultServer serves the default project with hook applied to the
// http.Server before it starts.
func newDefaultServer(t *testing.T, hook func(*http.Server)) *httptest.Server {
	t.Helper()
	cfg, err := mockserver.LoadProject(context.Background(), mockserver.Project{
		SpecFS: defaultapi.FS, SpecFile: defaultapi.SpecFile,
		FixturesFS: defaultapi.FS, FixturesDir: "fixtures",
		ScenariosFS: defaultapi.FS, ScenariosDir: "scenarios",
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Seed, cfg.CORS = 42, true
	srv, err := mockserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv)
	if hook != nil {
		hook(ts.Config)
	}
	ts.Start()
	t.Cleanup(ts.Close)
	return ts
}

func tcpCork(t *testing.T, c net.Conn) int {
	t.Helper()
	rc, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var serr error
	if err := rc.Control(func(fd uintptr) { v, serr = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_CORK) }); err != nil || serr != nil {
		t.Fatal(err, serr)
	}
	return v
}

// TestCorkedServer serves the default API with ConnContext set and checks,
// over one kept-alive connection, that every answer arrives whole, the same
// as without it, and that the connection is left uncorked.
func TestCorkedServer(t *testing.T) {
	plain := newDefaultServer(t, nil)
	var conns []net.Conn
	corked := newDefaultServer(t, func(hs *http.Server) {
		hs.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
			conns = append(conns, c)
			return mockserver.ConnContext(ctx, c)
		}
	})
	paths := []string{"/v2/agents/agt_customer_support/sessions?limit=25", "/v2/agents/agt_customer_support/sessions?limit=1",
		"/v2/agents/agt_customer_support/sessions?limit=100", "/v2/agents/agt_nobody/sessions"}
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	for range 3 {
		for _, p := range paths {
			for _, method := range []string{"GET", "HEAD"} {
				var got [2][]byte
				for i, base := range []string{plain.URL, corked.URL} {
					req, _ := http.NewRequest(method, base+p, nil)
					req.Header.Set("Authorization", "Bearer sk_test")
					res, err := client.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					got[i], err = io.ReadAll(res.Body)
					res.Body.Close()
					if err != nil {
						t.Fatal(err)
					}
					if n := res.ContentLength; method == "GET" && n != int64(len(got[i])) {
						t.Fatalf("%s %s: Content-Length %d, body %d bytes", method, p, n, len(got[i]))
					}
				}
				if !bytes.Equal(got[0], got[1]) {
					t.Fatalf("%s %s: corked answer differs:\n%s\nwant\n%s", method, p, got[1], got[0])
				}
			}
		}
	}
	if len(conns) != 1 {
		t.Fatalf("%d connections, want 1 kept alive", len(conns))
	}
	if c := tcpCork(t, conns[0]); c != 0 {
		t.Errorf("TCP_CORK = %d after the answers", c)
	}
}
