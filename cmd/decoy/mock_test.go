package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const prismSpec = "testdata/prism-petstore.yaml"

// startCLI runs decoy with args (on a free port given as the last two
// arguments, --port N or -p N) and returns its base URL once it answers.
func startCLI(t *testing.T, args ...string) string {
	t.Helper()
	return startDecoy(t, func(port string) []string { return append(slices.Clip(args), port) })
}

// exchange is one request of the drop-in comparison.
type exchange struct {
	method, path, body string
	header             []string // name, value, name, value…
}

// prismRequests are what a Prism user's tests send: plain requests,
// Prism's Prefer header and __ query keys, invalid requests, a preflight,
// paths and methods the spec does not have, and the admin API.
var prismRequests = []exchange{
	{method: "GET", path: "/pets"},
	{method: "GET", path: "/pets?limit=5"},
	{method: "GET", path: "/pets?limit=0"},
	{method: "GET", path: "/pets", header: []string{"Prefer", "example=none"}},
	{method: "GET", path: "/pets?__example=none"},
	{method: "GET", path: "/pets", header: []string{"Prefer", "code=500"}},
	{method: "GET", path: "/pets?__code=500"},
	{method: "GET", path: "/pets", header: []string{"Prefer", "dynamic=true"}},
	{method: "GET", path: "/pets?__dynamic=true"},
	{method: "GET", path: "/pets", header: []string{"Prefer", "example=nope"}},
	{method: "GET", path: "/pets/1"},
	{method: "GET", path: "/pets/abc"},
	{method: "GET", path: "/pets/1", header: []string{"Prefer", "code=404"}},
	{method: "POST", path: "/pets", body: `{"name":"Kit"}`, header: []string{"Content-Type", "application/json"}},
	{method: "POST", path: "/pets", body: `{"name":""}`, header: []string{"Content-Type", "application/json"}},
	{method: "POST", path: "/pets", body: `name=Kit`, header: []string{"Content-Type", "application/x-www-form-urlencoded"}},
	{method: "DELETE", path: "/pets"},
	{method: "GET", path: "/nowhere"},
	{method: "OPTIONS", path: "/pets", header: []string{"Origin", "http://localhost:3000", "Access-Control-Request-Method", "POST"}},
	{method: "GET", path: "/pets", header: []string{"Origin", "http://localhost:3000"}},
	{method: "GET", path: "/__decoy/routes"},
}

// dump sends x to base and returns the whole answer as text, with the
// headers that differ between any two runs (Date) taken out.
func dump(t *testing.T, base string, x exchange) string {
	t.Helper()
	req, err := http.NewRequest(x.method, base+x.path, strings.NewReader(x.body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(x.header); i += 2 {
		req.Header.Set(x.header[i], x.header[i+1])
	}
	req.Host = "127.0.0.1:4010" // the same Host for both servers
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", x.method, x.path, err)
	}
	defer resp.Body.Close()
	resp.Header.Del("Date")
	out, err := httputil.DumpResponse(resp, true)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestMockServesWhatServeServes: decoy mock SPEC -p PORT is Prism's
// command line for decoy serve --spec SPEC --port PORT, and answers every
// request with the same status, headers and body.
func TestMockServesWhatServeServes(t *testing.T) {
	t.Setenv("DECOY_WATCH", "false")
	mock := startCLI(t, "mock", prismSpec, "-p")
	serve := startCLI(t, "serve", "--spec", prismSpec, "--port")
	statuses := map[int]bool{}
	for _, x := range prismRequests {
		name := x.method + " " + x.path
		if len(x.header) > 0 {
			name += " " + strings.Join(x.header, ": ")
		}
		t.Run(name, func(t *testing.T) {
			got, want := dump(t, mock, x), dump(t, serve, x)
			if got != want {
				t.Errorf("decoy mock answered\n%s\ndecoy serve answered\n%s", got, want)
			}
			var status int
			fmt.Sscanf(got, "HTTP/1.1 %d", &status)
			statuses[status] = true
		})
	}
	// The requests reach the answers a drop-in must match, not just one.
	for _, s := range []int{200, 201, 204, 404, 405, 415, 422, 500} {
		if !statuses[s] {
			t.Errorf("no request was answered %d; the comparison misses it", s)
		}
	}
}

// TestMockPrismPreferences: the Prefer header and query keys a Prism
// user's tests send choose the answer under decoy mock.
func TestMockPrismPreferences(t *testing.T) {
	t.Setenv("DECOY_WATCH", "false")
	base := startCLI(t, "mock", prismSpec, "--seed", "3", "--port")
	get := func(path string, header ...string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, strings.TrimSpace(string(b))
	}
	example := `[{"id":1,"name":"Rex","tag":"dog"},{"id":2,"name":"Tom","tag":"cat"}]`
	for _, tc := range []struct {
		path, prefer string
		status       int
		body         string // "" means: anything but the first example
	}{
		{"/pets", "", 200, example},
		{"/pets", "example=none", 200, "[]"},
		{"/pets?__example=none", "", 200, "[]"},
		{"/pets", "code=500", 500, `{"code":500,"message":"server error"}`},
		{"/pets?__code=500", "", 500, `{"code":500,"message":"server error"}`},
		{"/pets", "dynamic=true", 200, ""},
		{"/pets?__dynamic=true", "", 200, ""},
	} {
		status, body := get(tc.path, "Prefer", tc.prefer)
		if tc.prefer == "" {
			status, body = get(tc.path)
		}
		if status != tc.status || (tc.body != "" && body != tc.body) || (tc.body == "" && body == example) {
			t.Errorf("%s Prefer %q: %d %s; want %d %s", tc.path, tc.prefer, status, body, tc.status, tc.body)
		}
	}
}

// TestMockDynamicServesWhatServeDynamicServes: decoy mock -d is decoy
// serve --dynamic, answer for answer, headers included: no request is
// rewritten, so no answer claims a Preference-Applied the client never
// sent, and the journal shows the request as it came.
func TestMockDynamicServesWhatServeDynamicServes(t *testing.T) {
	t.Setenv("DECOY_WATCH", "false")
	mock := startCLI(t, "mock", "-d", prismSpec, "--seed", "3", "-p")
	serve := startCLI(t, "serve", "--dynamic", "--spec", prismSpec, "--seed", "3", "--port")
	for _, x := range prismRequests {
		name := x.method + " " + x.path
		if len(x.header) > 0 {
			name += " " + strings.Join(x.header, ": ")
		}
		t.Run(name, func(t *testing.T) {
			got, want := dump(t, mock, x), dump(t, serve, x)
			if got != want {
				t.Errorf("decoy mock -d answered\n%s\ndecoy serve --dynamic answered\n%s", got, want)
			}
			if len(x.header) == 0 && !strings.Contains(x.path, "__") && strings.Contains(got, "\r\nPreference-Applied:") {
				t.Errorf("a request with no preference got\n%s", got)
			}
		})
	}
	// The journal keeps the request as sent: no Prefer header added.
	dump(t, mock, exchange{method: "GET", path: "/pets/1", header: []string{"X-Decoy-Client", "plain"}})
	journal := dump(t, mock, exchange{method: "GET", path: "/__decoy/requests?client=plain"})
	if !strings.Contains(journal, `"/pets/1"`) || strings.Contains(journal, `"Prefer"`) || strings.Contains(journal, `"Preference-Applied"`) {
		t.Errorf("the journal of a request with no Prefer header:\n%s", journal)
	}
}

// TestMockDynamic: -d answers with generated data where the spec has an
// example, unless the request chooses dynamic=false itself, by a Prefer
// header or the query fallback.
func TestMockDynamic(t *testing.T) {
	t.Setenv("DECOY_WATCH", "false")
	plain := startCLI(t, "mock", prismSpec, "--seed", "3", "-p")
	dynamic := startCLI(t, "mock", "-d", prismSpec, "--seed=3", "-p")
	for _, tc := range []struct {
		name   string
		x      exchange
		differ bool // -d answers otherwise than without it
	}{
		{"an example becomes generated data", exchange{method: "GET", path: "/pets/1"}, true},
		{"the request's dynamic=false wins", exchange{method: "GET", path: "/pets/1", header: []string{"Prefer", "dynamic=false"}}, false},
		{"-d joins the request's Prefer header", exchange{method: "GET", path: "/pets/1", header: []string{"Prefer", "code=404"}}, true},
		{"-d joins the query fallback", exchange{method: "GET", path: "/pets/1?__code=404"}, true},
		{"the query's __dynamic=false wins", exchange{method: "GET", path: "/pets/1?__dynamic=false"}, false},
		{"the admin API is left alone", exchange{method: "GET", path: "/__decoy/routes"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := body(dump(t, plain, tc.x)), body(dump(t, dynamic, tc.x))
			if (a != b) != tc.differ {
				t.Errorf("without -d:\n%s\nwith -d:\n%s", a, b)
			}
		})
	}
	// The query fallback under -d still answers the status it chose.
	if d := dump(t, dynamic, exchange{method: "GET", path: "/pets/1?__code=404"}); !strings.HasPrefix(d, "HTTP/1.1 404") {
		t.Errorf("?__code=404 under -d:\n%s", d)
	}
}

// body is a dumped response's body.
func body(dump string) string {
	_, b, _ := strings.Cut(dump, "\r\n\r\n")
	return b
}

func TestMockArgs(t *testing.T) {
	for _, tc := range []struct {
		args  string
		serve string
		err   string
	}{
		{args: "api.yaml", serve: "--spec api.yaml"},
		{args: "api.yaml -p 4011 -h 0.0.0.0", serve: "--spec api.yaml --port 4011 --host 0.0.0.0"},
		{args: "-p=4011 --host=::1 api.yaml", serve: "--spec api.yaml --port 4011 --host ::1"},
		{args: "api.yaml --port 0 --seed 42", serve: "--spec api.yaml --port 0 --seed 42"},
		{args: "api.yaml -d", serve: "--spec api.yaml --dynamic"},
		{args: "-d=true api.yaml -p 0", serve: "--spec api.yaml --port 0 --dynamic"},
		{args: "api.yaml --dynamic", serve: "--spec api.yaml --dynamic"},
		{args: "api.yaml --dynamic=false", serve: "--spec api.yaml"},
		{args: "api.yaml --errors", serve: "--spec api.yaml"},
		{args: "api.yaml --errors=false", serve: "--spec api.yaml"},
		{args: "api.yaml --cors=false", serve: "--spec api.yaml --cors=false"},
		{args: "api.yaml --no-cors", serve: "--spec api.yaml --cors=false"},
		{args: "api.yaml --cors", serve: "--spec api.yaml --cors=true"},
		{args: "", err: "no SPEC"},
		{args: "a.yaml b.yaml", err: `unexpected argument "b.yaml"`},
		{args: "api.yaml -p", err: "flag -p needs a value"},
		{args: "api.yaml -p 70000", err: `flag -p: "70000" is not a port`},
		{args: "api.yaml --seed -1", err: `flag --seed: "-1" is not a whole number`},
		{args: "api.yaml --cors=maybe", err: `flag --cors=maybe: "maybe" is not true or false`},
		{args: "api.yaml -m", err: "Prism's flag -m has no match in decoy mock: Decoy serves from one process"},
		{args: "api.yaml --watch", err: "unknown flag --watch"},
		{args: "https://example.com/api.yaml", err: "is a URL; Decoy serves a file"},
	} {
		t.Run(tc.args, func(t *testing.T) {
			got, err := mockArgs(strings.Fields(tc.args))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.Fields(tc.serve); !reflect.DeepEqual(got, want) {
				t.Errorf("serve %q, want %q", got, want)
			}
		})
	}
}

func TestMockUsage(t *testing.T) {
	stdout, _, err := runCLI(t, "mock", "--help")
	if err != errHelp || !strings.HasPrefix(stdout, "Usage: decoy mock SPEC") {
		t.Errorf("--help: %v, %q", err, stdout)
	}
	_, stderr, err := runCLI(t, "mock", prismSpec, "--nope")
	if exitCode(err) != 2 || !regexp.MustCompile(`^decoy mock: unknown flag --nope`).MatchString(stderr) {
		t.Errorf("--nope: exit %d, %q", exitCode(err), stderr)
	}
	stdout, _, _ = runCLI(t, "help")
	if !strings.Contains(stdout, "decoy mock SPEC") {
		t.Errorf("decoy help does not list decoy mock:\n%s", stdout)
	}
}

// FuzzMockArgs: no argument list makes mockArgs panic, and what it accepts
// is a decoy serve command line that serve's own flags parse.
func FuzzMockArgs(f *testing.F) {
	for _, s := range []string{"api.yaml -p 4011 -h 0.0.0.0", "-d api.yaml --seed=3", "api.yaml --no-cors --errors=false", "--port", "a b", "api.yaml -p=-1", "api.yaml -- x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		args := strings.Split(s, " ")
		serveArgs, err := mockArgs(args)
		if err != nil {
			return
		}
		if len(serveArgs) < 2 || serveArgs[0] != "--spec" {
			t.Fatalf("mockArgs(%q) = %q: no --spec first", args, serveArgs)
		}
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.String("spec", "", "")
		fs.Int("port", 0, "")
		fs.String("host", "", "")
		fs.Bool("cors", true, "")
		fs.Bool("dynamic", false, "")
		fs.Uint64("seed", 0, "")
		if err := fs.Parse(serveArgs); err != nil || fs.NArg() != 0 {
			t.Fatalf("mockArgs(%q) = %q, which serve's flags refuse: %v", args, serveArgs, err)
		}
	})
}
