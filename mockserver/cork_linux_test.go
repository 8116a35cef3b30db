package mockserver

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"

	"github.com/decoy-mock/decoy/defaultapi"
)

// corkOf reads TCP_CORK on the connection.
func corkOf(t *testing.T, c net.Conn) int {
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

// corkProbe is a ResponseWriter that records whether the connection was
// corked while it was written to and flushed.
type corkProbe struct {
	t       *testing.T
	conn    net.Conn
	buf     bytes.Buffer
	corked  []int
	flushes int
}

func (p *corkProbe) Header() http.Header { return http.Header{} }
func (p *corkProbe) WriteHeader(int)     {}
func (p *corkProbe) Write(b []byte) (int, error) {
	p.corked = append(p.corked, corkOf(p.t, p.conn))
	return p.buf.Write(b)
}
func (p *corkProbe) Flush() {
	p.corked = append(p.corked, corkOf(p.t, p.conn))
	p.flushes++
}

// TestWriteCorked checks that a large answer is written and flushed with the
// connection corked, and that the cork is off again afterwards; a small one,
// or one without ConnContext, is written plainly.
func TestWriteCorked(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()

	withConn := ConnContext(context.Background(), server)
	for _, tt := range []struct {
		name       string
		ctx        context.Context
		size       int
		wantCorked bool
	}{
		{"large answer", withConn, 6000, true},
		{"small answer", withConn, 1000, false},
		{"no ConnContext", context.Background(), 6000, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil).WithContext(tt.ctx)
			p := &corkProbe{t: t, conn: server}
			body := []byte(strings.Repeat("x", tt.size))
			if rc := writeCorked(p, r, body); rc != nil {
				if !tt.wantCorked {
					t.Error("writeCorked corked")
				}
				if c := corkOf(t, server); c != 1 {
					t.Errorf("TCP_CORK = %d before the exchange is done, want 1", c)
				}
				setCork(rc, false)
			} else if tt.wantCorked {
				t.Error("writeCorked did not cork")
			}
			if !bytes.Equal(p.buf.Bytes(), body) {
				t.Fatalf("wrote %d bytes, want %d", p.buf.Len(), len(body))
			}
			want := 0
			if tt.wantCorked {
				want = 1
				if p.flushes != 1 {
					t.Errorf("%d flushes, want 1", p.flushes)
				}
			}
			for i, c := range p.corked {
				if c != want {
					t.Errorf("call %d: TCP_CORK = %d, want %d", i, c, want)
				}
			}
			if c := corkOf(t, server); c != 0 {
				t.Errorf("TCP_CORK = %d after the answer: the rest would wait up to 200 ms", c)
			}
		})
	}
}

// newDefaultServer serves the default project with hook applied to the
// http.Server before it starts.
func newDefaultServer(t *testing.T, hook func(*http.Server)) *httptest.Server {
	t.Helper()
	cfg, err := LoadProject(context.Background(), Project{
		SpecFS: defaultapi.FS, SpecFile: defaultapi.SpecFile,
		FixturesFS: defaultapi.FS, FixturesDir: "fixtures",
		ScenariosFS: defaultapi.FS, ScenariosDir: "scenarios",
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Seed, cfg.CORS = 42, true
	srv, err := New(cfg)
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

// TestCorkedServer serves the default API with ConnContext set and checks,
// over one kept-alive connection, that every answer arrives whole, the same
// as without it, and that the connection is left uncorked.
func TestCorkedServer(t *testing.T) {
	plain := newDefaultServer(t, nil)
	var conns []net.Conn
	corked := newDefaultServer(t, func(hs *http.Server) {
		hs.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
			conns = append(conns, c)
			return ConnContext(ctx, c)
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
	if c := corkOf(t, conns[0]); c != 0 {
		t.Errorf("TCP_CORK = %d after the answers", c)
	}
}
