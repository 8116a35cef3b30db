package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"

	"github.com/decoy-mock/decoy/mockserver"
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

// TestTunedCorksLargeAnswers checks that a large answer is written and
// flushed with the connection corked, that the cork stays on until the
// server has returned (the exchange logged and journaled) and is off
// after; a small answer, an admin answer, or one without connContext is
// written plainly.
func TestTunedCorksLargeAnswers(t *testing.T) {
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

	withConn := connContext(context.Background(), server)
	for _, tt := range []struct {
		name       string
		ctx        context.Context
		path       string
		size       int
		wantCorked bool
	}{
		{"large answer", withConn, "/pets", 6000, true},
		{"small answer", withConn, "/pets", 1000, false},
		{"admin answer", withConn, mockserver.AdminPrefix + "requests", 6000, false},
		{"no connContext", context.Background(), "/pets", 6000, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", tt.path, nil).WithContext(tt.ctx)
			p := &corkProbe{t: t, conn: server}
			body := []byte(strings.Repeat("x", tt.size))
			var atEnd int
			tuned(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write(body)
				atEnd = corkOf(t, server) // the server logs and journals here
			})).ServeHTTP(p, r)
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
			if atEnd != want {
				t.Errorf("TCP_CORK = %d when the server is done, want %d", atEnd, want)
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

// newDefaultServer serves the default project, with the http.Server
// set up as decoy serve sets it when tune is true.
func newDefaultServer(t *testing.T, tune bool, conns *[]net.Conn) *httptest.Server {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	var pf projectFlags
	pf.register(fs)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	proj, err := pf.resolve()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := proj.load(t.Context(), 42)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Seed, cfg.CORS = 42, true
	srv, err := mockserver.New(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = srv
	if tune {
		h = tuned(srv)
	}
	ts := httptest.NewUnstartedServer(h)
	if tune {
		ts.Config.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
			*conns = append(*conns, c)
			return connContext(ctx, c)
		}
	}
	ts.Start()
	t.Cleanup(ts.Close)
	return ts
}

// TestTunedServer serves the default API as decoy serve does and checks,
// over one kept-alive connection, that every answer arrives whole, the
// same as from the plain handler, and that the connection is left
// uncorked.
func TestTunedServer(t *testing.T) {
	var conns []net.Conn
	plain := newDefaultServer(t, false, nil)
	corked := newDefaultServer(t, true, &conns)
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
