package bidi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coder/websocket"
)

// fake is the browser's side of one connection, for a test to script.
type fake struct {
	t  *testing.T
	ws *websocket.Conn
}

// sent is a command as the fake browser receives it.
type sent struct {
	ID     int64           `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
}

// read returns the next command the client sent.
func (f fake) read(ctx context.Context) sent {
	f.t.Helper()
	_, data, err := f.ws.Read(ctx)
	if err != nil {
		f.t.Errorf("fake browser: reading a command: %v", err)
		return sent{}
	}
	var c sent
	if err := json.Unmarshal(data, &c); err != nil {
		f.t.Errorf("fake browser: a command that is not JSON: %s", data)
	}
	return c
}

// write sends one message, given as JSON.
func (f fake) write(ctx context.Context, msg string) {
	f.t.Helper()
	if err := f.ws.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		f.t.Errorf("fake browser: writing %s: %v", msg, err)
	}
}

// dialFake serves one WebSocket connection on loopback, runs script on
// it as the browser would, and returns the client's end. The test's
// cleanup closes the client and waits for the script.
func dialFake(t *testing.T, script func(ctx context.Context, f fake)) *Conn {
	t.Helper()
	done := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			t.Errorf("fake browser: accept: %v", err)
			return
		}
		defer ws.CloseNow()
		script(r.Context(), fake{t: t, ws: ws})
		ws.Close(websocket.StatusNormalClosure, "")
	}))
	t.Cleanup(ts.Close)
	c, err := Dial(t.Context(), "ws"+strings.TrimPrefix(ts.URL, "http")+"/session")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Close()
		<-done
	})
	return c
}

func TestCallMatchesResponsesByID(t *testing.T) {
	c := dialFake(t, func(ctx context.Context, f fake) {
		a, b := f.read(ctx), f.read(ctx)
		// Answered in the other order: ids, not order, pair them.
		f.write(ctx, `{"type":"success","id":`+jsonInt(b.ID)+`,"result":{"echo":"`+b.Method+`"}}`)
		f.write(ctx, `{"type":"success","id":`+jsonInt(a.ID)+`,"result":{"echo":"`+a.Method+`"}}`)
	})
	results := make(chan string, 2)
	for _, method := range []string{"first.call", "second.call"} {
		go func() {
			var r struct{ Echo string }
			if err := c.Call(t.Context(), method, nil, &r); err != nil {
				results <- method + ": " + err.Error()
				return
			}
			results <- method + " got " + r.Echo
		}()
	}
	got := []string{<-results, <-results}
	for _, method := range []string{"first.call", "second.call"} {
		if got[0] != method+" got "+method && got[1] != method+" got "+method {
			t.Errorf("results %q, want %s answered with its own result", got, method)
		}
	}
}

func TestCallReturnsTheBrowsersError(t *testing.T) {
	c := dialFake(t, func(ctx context.Context, f fake) {
		cmd := f.read(ctx)
		f.write(ctx, `{"type":"error","id":`+jsonInt(cmd.ID)+`,"error":"no such frame","message":"Browsing context with id 42 not found","stacktrace":"RemoteError@chrome://..."}`)
		// The connection still serves the next call.
		cmd = f.read(ctx)
		f.write(ctx, `{"type":"success","id":`+jsonInt(cmd.ID)+`,"result":{}}`)
	})
	err := c.Navigate(t.Context(), "42", "http://127.0.0.1:1/")
	var be *Error
	if !errors.As(err, &be) {
		t.Fatalf("err = %v (%T), want a *bidi.Error", err, err)
	}
	if be.Method != "browsingContext.navigate" || be.Code != "no such frame" || !strings.Contains(be.Stacktrace, "RemoteError") {
		t.Errorf("error %+v, want the command, its code and the browser's stack", be)
	}
	if want := "bidi: browsingContext.navigate: no such frame: Browsing context with id 42 not found"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	if err := c.Call(t.Context(), "session.status", nil, nil); err != nil {
		t.Errorf("a call after an error: %v", err)
	}
}

func TestEventBetweenResponses(t *testing.T) {
	c := dialFake(t, func(ctx context.Context, f fake) {
		cmd := f.read(ctx)
		f.write(ctx, `{"type":"event","method":"browsingContext.userPromptOpened","params":{"context":"tab1","type":"confirm","message":"Reset everything?","handler":"ignore"}}`)
		f.write(ctx, `{"type":"success","id":`+jsonInt(cmd.ID)+`,"result":{"type":"success","result":{"type":"boolean","value":true},"realm":"r1"}}`)
		// The event's reader answers the dialog while the first call has
		// its answer already: events and responses do not wait for each
		// other.
		cmd = f.read(ctx)
		if cmd.Method != "browsingContext.handleUserPrompt" || string(cmd.Params) != `{"accept":true,"context":"tab1"}` {
			f.t.Errorf("fake browser: got %s %s, want the dialog accepted", cmd.Method, cmd.Params)
		}
		f.write(ctx, `{"type":"success","id":`+jsonInt(cmd.ID)+`,"result":{}}`)
	})
	v, err := c.Evaluate(t.Context(), "tab1", "confirm('Reset everything?')")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := v.Bool(); err != nil || !ok {
		t.Errorf("result %v, %v; want true", ok, err)
	}
	ev := <-c.Events()
	var p UserPrompt
	if err := ev.Decode(&p); err != nil {
		t.Fatal(err)
	}
	if ev.Method != UserPromptOpened || p.Context != "tab1" || p.Type != "confirm" || p.Message != "Reset everything?" {
		t.Errorf("event %s %+v, want the confirm dialog of tab1", ev.Method, p)
	}
	if err := c.HandleUserPrompt(t.Context(), p.Context, true); err != nil {
		t.Error(err)
	}
}

func TestScriptExceptionIsAScriptError(t *testing.T) {
	c := dialFake(t, func(ctx context.Context, f fake) {
		cmd := f.read(ctx)
		var p struct {
			FunctionDeclaration string
			Arguments           []map[string]any
			AwaitPromise        bool
		}
		json.Unmarshal(cmd.Params, &p)
		args, _ := json.Marshal(p.Arguments)
		if want := `[{"type":"string","value":"#x \"y\""},{"type":"number","value":3},{"type":"boolean","value":false},{"type":"null"}]`; string(args) != want || !p.AwaitPromise {
			f.t.Errorf("fake browser: arguments %s (await %v), want %s, awaited", args, p.AwaitPromise, want)
		}
		f.write(ctx, `{"type":"success","id":`+jsonInt(cmd.ID)+`,"result":{"type":"exception","exceptionDetails":{"text":"TypeError: e is null","lineNumber":0,"columnNumber":14,"exception":{"type":"error"},"stackTrace":{"callFrames":[]}},"realm":"r1"}}`)
	})
	_, err := c.CallFunction(t.Context(), "tab1", "(sel) => document.querySelector(sel).click()", `#x "y"`, 3, false, nil)
	var se *ScriptError
	if !errors.As(err, &se) || se.Text != "TypeError: e is null" || se.Column != 14 {
		t.Fatalf("err = %v, want the TypeError as a *bidi.ScriptError", err)
	}
	if want := "bidi: the script threw at 1:15: TypeError: e is null"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	if _, err := c.CallFunction(t.Context(), "tab1", "() => 1", struct{}{}); err == nil || !strings.Contains(err.Error(), "argument 1 is a struct {}") {
		t.Errorf("an argument of another type: %v, want an error naming it", err)
	}
}

func TestCallGivenUpKeepsTheConnection(t *testing.T) {
	received := make(chan struct{})
	c := dialFake(t, func(ctx context.Context, f fake) {
		slow := f.read(ctx)
		close(received)
		next := f.read(ctx)
		f.write(ctx, `{"type":"success","id":`+jsonInt(next.ID)+`,"result":{"n":2}}`)
		// The answer to the call given up comes late, and is dropped.
		f.write(ctx, `{"type":"success","id":`+jsonInt(slow.ID)+`,"result":{"n":1}}`)
		last := f.read(ctx)
		f.write(ctx, `{"type":"success","id":`+jsonInt(last.ID)+`,"result":{"n":3}}`)
	})
	ctx, cancel := context.WithCancel(t.Context())
	gaveUp := make(chan error)
	go func() { gaveUp <- c.Call(ctx, "slow.call", nil, nil) }()
	<-received
	cancel()
	if err := <-gaveUp; !errors.Is(err, context.Canceled) {
		t.Errorf("the call given up: %v, want context.Canceled", err)
	}
	for _, want := range []int{2, 3} {
		var r struct{ N int }
		if err := c.Call(t.Context(), "next.call", nil, &r); err != nil || r.N != want {
			t.Errorf("a later call: %v, %d; want %d", err, r.N, want)
		}
	}
}

// TestAnswerJustBeforeTheEndCounts: browser.close is answered, then the
// browser closes the connection at once; the call must get the answer,
// not the end (both were ready, and a select picked either).
func TestAnswerJustBeforeTheEndCounts(t *testing.T) {
	for range 20 {
		c := dialFake(t, func(ctx context.Context, f fake) {
			cmd := f.read(ctx)
			f.write(ctx, `{"type":"success","id":`+jsonInt(cmd.ID)+`,"result":{}}`)
		})
		if err := c.CloseBrowser(t.Context()); err != nil {
			t.Fatalf("the call answered before the end: %v", err)
		}
	}
}

func TestBrowserLeaving(t *testing.T) {
	c := dialFake(t, func(ctx context.Context, f fake) {
		f.read(ctx)
		f.write(ctx, `{"type":"event","method":"log.entryAdded","params":{"type":"javascript","level":"error","text":"Error: boom","stackTrace":{"callFrames":[{"url":"http://127.0.0.1/app.js","functionName":"f","lineNumber":9,"columnNumber":2}]}}}`)
		// Then the browser goes, the call unanswered.
	})
	err := c.Call(t.Context(), "browser.close", nil, nil)
	if err == nil || c.Err() == nil {
		t.Fatalf("call: %v, connection: %v; want both to say the connection ended", err, c.Err())
	}
	// The event that came first is still read, then Events closes.
	ev, ok := <-c.Events()
	var e LogEntry
	if !ok || ev.Decode(&e) != nil || e.Level != "error" || e.Where() != "http://127.0.0.1/app.js:10:3" {
		t.Errorf("event %v %+v (%s), want the error log entry", ok, e, e.Where())
	}
	if _, ok := <-c.Events(); ok {
		t.Error("Events still open after the connection ended")
	}
	if err := c.Call(t.Context(), "session.status", nil, nil); err == nil {
		t.Error("a call after the end succeeded")
	}
}

func TestCloseEndsWaitingCalls(t *testing.T) {
	received := make(chan struct{})
	c := dialFake(t, func(ctx context.Context, f fake) {
		f.read(ctx)
		close(received)
		f.ws.Read(ctx) // until the client closes
	})
	waiting := make(chan error)
	go func() { waiting <- c.Call(t.Context(), "never.answered", nil, nil) }()
	<-received
	if err := c.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := <-waiting; !errors.Is(err, ErrClosed) {
		t.Errorf("the waiting call: %v, want it to wrap ErrClosed", err)
	}
}

func TestRemoteValueNumber(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  string // as %v prints it, or the error's start
	}{
		{`{"type":"number","value":42}`, "42"},
		{`{"type":"number","value":-1.5}`, "-1.5"},
		{`{"type":"number","value":"NaN"}`, "NaN"},
		{`{"type":"number","value":"-Infinity"}`, "-Inf"},
		{`{"type":"number","value":"-0"}`, "-0"},
		{`{"type":"number","value":"lots"}`, `bidi: the script returned number "lots", want a number`},
		{`{"type":"string","value":"42"}`, `bidi: the script returned string "42", want a number`},
		{`{"type":"undefined"}`, "bidi: the script returned undefined, want a number"},
	} {
		var v RemoteValue
		if err := json.Unmarshal([]byte(tc.value), &v); err != nil {
			t.Fatal(err)
		}
		n, err := v.Number()
		got := fmt.Sprint(n)
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("%s: %s, want %s", tc.value, got, tc.want)
		}
	}
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
