package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestByteSize(t *testing.T) {
	for in, want := range map[string]int64{"1048576": 1 << 20, "512KiB": 512 << 10, "10MiB": 10 << 20, "10mb": 10 << 20, "1GiB": 1 << 30, "0": 0, " 2 MiB ": 2 << 20} {
		var b byteSize
		if err := b.UnmarshalText([]byte(in)); err != nil || int64(b) != want {
			t.Errorf("%q: %d, %v; want %d", in, b, err, want)
		}
	}
	for _, in := range []string{"", "ten", "-1", "1.5MiB", "99999999999GiB"} {
		var b byteSize
		if err := b.UnmarshalText([]byte(in)); err == nil {
			t.Errorf("%q parsed as %d", in, b)
		}
	}
	if s, _ := byteSize(10 << 20).MarshalText(); string(s) != "10MiB" {
		t.Errorf("10MiB renders as %s", s)
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{"127.0.0.1": true, "localhost": true, "::1": true, "[::1]": true, "127.1.2.3": true,
		"0.0.0.0": false, "": false, "::": false, "192.168.1.10": false, "example.test": false} {
		if got := isLoopback(host); got != want {
			t.Errorf("isLoopback(%q) = %v", host, got)
		}
	}
}

// rawRequest sends a GET of path whose header block (request line, headers,
// blank line) is exactly size bytes, and returns the status line, the
// Content-Type and the body of the answer.
func rawRequest(t *testing.T, base, path string, size int) (status, contentType, body string) {
	t.Helper()
	host := strings.TrimPrefix(base, "http://")
	head := "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\nX-Pad: "
	pad := size - len(head) - len("\r\n\r\n")
	if pad < 1 {
		t.Fatalf("a header block of %d bytes is too small for the test", size)
	}
	req := head + strings.Repeat("p", pad) + "\r\n\r\n"
	if len(req) != size {
		t.Fatalf("built %d bytes, want %d", len(req), size)
	}
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.Status, resp.Header.Get("Content-Type"), string(b)
}

// Regression: --max-header-bytes let 4 KiB more through than set (net/http
// adds that to http.Server.MaxHeaderBytes), and its 431 was net/http's plain
// text, never journaled.
func TestMaxHeaderBytesIsExact(t *testing.T) {
	const limit = 8 << 10
	base := startServe(t, "--max-header-bytes", "8KiB")
	if status, _, body := rawRequest(t, base, "/nowhere", limit); strings.HasPrefix(status, "431") {
		t.Errorf("a header block of exactly the limit: %s %s", status, body)
	}
	status, ct, body := rawRequest(t, base, "/nowhere", limit+1)
	if !strings.HasPrefix(status, "431") || ct != "application/problem+json" {
		t.Fatalf("a header block one byte over the limit: %s %s %s", status, ct, body)
	}
	var p struct {
		Type   string `json:"type"`
		Detail string `json:"detail"`
		Limit  int    `json:"limit"`
		Bytes  int    `json:"bytes"`
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil || p.Limit != limit || p.Bytes != limit+1 || !strings.Contains(p.Detail, "--max-header-bytes") {
		t.Errorf("431 problem: %+v (%v)", p, err)
	}
	resp, err := http.Get(base + "/__decoy/requests?status=431")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Entries []struct {
			Path string `json:"path"`
			Kind string `json:"kind"`
		} `json:"entries"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	if len(list.Entries) != 1 || list.Entries[0].Kind != "header-too-large" || list.Entries[0].Path != "/nowhere" {
		t.Errorf("journaled 431s: %+v", list.Entries)
	}
	// Far past the bound net/http answers before Decoy sees the request:
	// still a 431, in its own words.
	if status, _, _ := rawRequest(t, base, "/nowhere", limit+100<<10); !strings.HasPrefix(status, "431") {
		t.Errorf("a header block 100 KiB over the limit: %s", status)
	}
}
