// Command baseline is the bare net/http server bench/run.sh measures Decoy
// against: it answers each captured request with the bytes Decoy answered
// it with (status, headers and body), and does nothing else: no routing
// beyond one map lookup, no validation, no journal, no log.
//
// Usage: baseline -addr 127.0.0.1:4011 -dir CAPTURES
//
// CAPTURES holds, for each NAME, NAME.route ("METHOD /path"), NAME.headers
// (the response head as curl -D writes it) and NAME.body.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

type answer struct {
	status int
	header http.Header
	body   []byte
}

func main() {
	addr := flag.String("addr", "127.0.0.1:4011", "address to listen on")
	dir := flag.String("dir", ".", "folder of captured answers")
	flag.Parse()
	answers, err := load(*dir)
	if err != nil {
		log.Fatal(err)
	}
	h := func(w http.ResponseWriter, r *http.Request) {
		a, ok := answers[r.Method+" "+r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		// Read the body as a real server would.
		_, _ = io.Copy(io.Discard, r.Body)
		for k, v := range a.header {
			w.Header()[k] = v
		}
		w.WriteHeader(a.status)
		_, _ = w.Write(a.body)
	}
	log.Fatal(http.ListenAndServe(*addr, http.HandlerFunc(h)))
}

func load(dir string) (map[string]*answer, error) {
	routes, err := filepath.Glob(filepath.Join(dir, "*.route"))
	if err != nil || len(routes) == 0 {
		return nil, fmt.Errorf("no *.route files in %s", dir)
	}
	out := map[string]*answer{}
	for _, route := range routes {
		base := strings.TrimSuffix(route, ".route")
		key, err := os.ReadFile(route)
		if err != nil {
			return nil, err
		}
		head, err := os.ReadFile(base + ".headers")
		if err != nil {
			return nil, err
		}
		body, err := os.ReadFile(base + ".body")
		if err != nil {
			return nil, err
		}
		a, err := parseHead(head)
		if err != nil {
			return nil, fmt.Errorf("%s.headers: %w", base, err)
		}
		a.body = body
		out[strings.TrimSpace(string(key))] = a
	}
	return out, nil
}

// parseHead reads "HTTP/1.1 200 OK" and the header lines after it, leaving
// out the ones net/http writes itself.
func parseHead(head []byte) (*answer, error) {
	tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(head)))
	line, err := tp.ReadLine()
	if err != nil {
		return nil, err
	}
	fields := strings.Fields(line)
	if len(fields) < 2 {
		return nil, fmt.Errorf("bad status line %q", line)
	}
	status, err := strconv.Atoi(fields[1])
	if err != nil {
		return nil, fmt.Errorf("bad status line %q", line)
	}
	mh, err := tp.ReadMIMEHeader()
	if err != nil && err != io.EOF {
		return nil, err
	}
	h := http.Header(mh)
	// Content-Length stays: Decoy sends it, so the baseline frames its
	// answers the same way (not chunked). Date is net/http's own.
	for _, k := range []string{"Date", "Connection", "Transfer-Encoding", "Keep-Alive"} {
		h.Del(k)
	}
	return &answer{status: status, header: h}, nil
}
