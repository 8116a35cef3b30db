package bidi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/coder/websocket"
)

// readLimit bounds one message from the browser. A screenshot of a whole
// page comes as one base64 message of a few megabytes; the library's
// default (32 KiB) would refuse it.
const readLimit = 64 << 20

// maxQueued bounds the events waiting to be read from [Conn.Events]. The
// reader never waits for the events' reader (a response behind an unread
// event would otherwise never arrive), so a program that subscribes and
// never reads would grow the queue without end; past this many the
// connection fails, saying why.
const maxQueued = 10000

// Conn is one WebDriver BiDi connection. Its methods may be called from
// several goroutines at once.
type Conn struct {
	ws     *websocket.Conn
	nextID atomic.Int64

	// life bounds the reader and the writer; Close cancels it.
	life   context.Context
	cancel context.CancelFunc
	done   chan struct{} // closed when the reader has ended
	out    chan []byte   // commands for the writer

	mu      sync.Mutex
	pending map[int64]chan message // calls waiting for their response
	err     error                  // why the connection ended, once it has
	queue   []Event                // events not yet handed to Events
	wake    chan struct{}          // a new event or the end, for the pump

	events chan Event
}

// Event is one event the browser sent, such as log.entryAdded, with its
// parameters left as JSON for the reader to decode.
type Event struct {
	Method string
	Params json.RawMessage
}

// Error is a command the browser refused: its error code (such as
// "no such frame" or "invalid argument") and message.
type Error struct {
	Method     string // the command sent
	Code       string // the protocol's error code
	Message    string
	Stacktrace string // the browser's own, for its bugs; not in Error()
}

// Error says which command failed and why.
func (e *Error) Error() string {
	return fmt.Sprintf("bidi: %s: %s: %s", e.Method, e.Code, e.Message)
}

// ErrClosed is wrapped by the errors of calls on a connection that was
// closed with [Conn.Close].
var ErrClosed = errors.New("the connection was closed")

// message is any message the browser sends: a response (success or
// error, with an id) or an event (with a method).
type message struct {
	Type       string          `json:"type"`
	ID         *int64          `json:"id"`
	Result     json.RawMessage `json:"result"`
	Error      string          `json:"error"`
	Message    string          `json:"message"`
	Stacktrace string          `json:"stacktrace"`
	Method     string          `json:"method"`
	Params     json.RawMessage `json:"params"`
}

// command is a message to the browser.
type command struct {
	ID     int64  `json:"id"`
	Method string `json:"method"`
	Params any    `json:"params"`
}

// Dial connects to a WebDriver BiDi endpoint, such as
// ws://127.0.0.1:PORT/session for a Firefox started with
// --remote-debugging-port. It returns an error when the handshake fails or
// ctx ends first; ctx bounds the dial only.
func Dial(ctx context.Context, url string) (*Conn, error) {
	ws, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return nil, fmt.Errorf("bidi: dial %s: %w", url, err)
	}
	ws.SetReadLimit(readLimit)
	life, cancel := context.WithCancel(context.Background())
	c := &Conn{
		ws:      ws,
		life:    life,
		cancel:  cancel,
		done:    make(chan struct{}),
		pending: make(map[int64]chan message),
		wake:    make(chan struct{}, 1),
		events:  make(chan Event),
		out:     make(chan []byte),
	}
	go c.read()
	go c.write()
	go c.pump()
	return c, nil
}

// Call sends the command method with params (any value encoding/json
// turns into an object; nil sends {}) and decodes the result into result
// (nil ignores it). It returns an [*Error] when the browser refuses the
// command, ctx's error when ctx ends first, and the connection's error
// when it has ended. A call given up leaves the connection as it was: its
// answer, if one comes, is dropped.
func (c *Conn) Call(ctx context.Context, method string, params, result any) error {
	if params == nil {
		params = struct{}{}
	}
	id := c.nextID.Add(1)
	data, err := json.Marshal(command{ID: id, Method: method, Params: params})
	if err != nil {
		return fmt.Errorf("bidi: %s: encoding the parameters: %w", method, err)
	}
	reply := make(chan message, 1)
	c.mu.Lock()
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return fmt.Errorf("bidi: %s: %w", method, err)
	}
	c.pending[id] = reply
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}()

	select {
	case c.out <- data:
	case <-c.done:
		return fmt.Errorf("bidi: %s: %w", method, c.Err())
	case <-ctx.Done():
		return fmt.Errorf("bidi: %s: %w", method, ctx.Err())
	}
	var m message
	select {
	case m = <-reply:
	case <-c.done:
		// The answer may have come just before the end (browser.close
		// answers, then closes the connection): it counts.
		select {
		case m = <-reply:
		default:
			return fmt.Errorf("bidi: %s: %w", method, c.Err())
		}
	case <-ctx.Done():
		return fmt.Errorf("bidi: %s: %w", method, ctx.Err())
	}
	if m.Type == "error" {
		return &Error{Method: method, Code: m.Error, Message: m.Message, Stacktrace: m.Stacktrace}
	}
	if result == nil {
		return nil
	}
	if err := json.Unmarshal(m.Result, result); err != nil {
		return fmt.Errorf("bidi: %s: decoding the result %.200s: %w", method, m.Result, err)
	}
	return nil
}

// Events returns the events the browser sends, in order, after a
// session.subscribe asked for them. The channel is closed when the
// connection ends. A handler may make calls on c: events wait in a queue
// of their own, apart from responses.
func (c *Conn) Events() <-chan Event { return c.events }

// Err returns why the connection ended, or nil while it is open.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Close ends the connection with a close handshake and waits for its
// reader; calls still waiting return an error wrapping [ErrClosed]. It
// returns nil when the connection had already ended (the browser closed
// it, as after browser.close), else the handshake's error.
func (c *Conn) Close() error {
	ended := c.Err() != nil
	c.fail(ErrClosed)
	err := c.ws.Close(websocket.StatusNormalClosure, "")
	c.cancel()
	<-c.done
	if ended || err == nil || websocket.CloseStatus(err) == websocket.StatusNormalClosure {
		return nil
	}
	return fmt.Errorf("bidi: closing: %w", err)
}

// read hands each message to the call waiting for it, or queues it as an
// event, until the connection ends.
func (c *Conn) read() {
	defer close(c.done)
	for {
		_, data, err := c.ws.Read(c.life)
		if err != nil {
			c.fail(fmt.Errorf("reading: %w", err))
			return
		}
		var m message
		if err := json.Unmarshal(data, &m); err != nil {
			c.fail(fmt.Errorf("a message that is not JSON: %.200q: %w", data, err))
			return
		}
		switch {
		case m.Type == "event":
			if !c.enqueue(Event{Method: m.Method, Params: m.Params}) {
				return
			}
		case m.ID != nil:
			c.mu.Lock()
			reply := c.pending[*m.ID]
			c.mu.Unlock()
			select {
			case reply <- m: // nil reply: a call that gave up, never ready
			default: // a second answer to one id: the first counts
			}
		case m.Type == "error":
			// An error without an id answers a command the browser could
			// not even parse: this client sent something wrong.
			c.fail(fmt.Errorf("the browser could not read a command: %s: %s", m.Error, m.Message))
			return
		default:
			c.fail(fmt.Errorf("a message of unknown type %q: %.200s", m.Type, data))
			return
		}
	}
}

// write sends the commands Call hands it, one at a time, until the
// connection ends. Writes are bounded by the connection's life, not by a
// call's context: the WebSocket library closes the connection when a
// write's context ends, and a call given up must not take the
// connection with it. A call still returns when its context ends, even
// while its command waits here.
func (c *Conn) write() {
	for {
		select {
		case data := <-c.out:
			if err := c.ws.Write(c.life, websocket.MessageText, data); err != nil {
				c.fail(fmt.Errorf("writing: %w", err))
				c.ws.CloseNow() // so that the reader ends, and calls with it
				return
			}
		case <-c.done:
			return
		}
	}
}

// enqueue adds ev to the events' queue; it fails the connection and
// returns false when the queue is full.
func (c *Conn) enqueue(ev Event) bool {
	c.mu.Lock()
	if len(c.queue) >= maxQueued {
		c.mu.Unlock()
		c.fail(fmt.Errorf("%d events not read from Events", maxQueued))
		return false
	}
	c.queue = append(c.queue, ev)
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default: // the pump has a wake-up waiting already
	}
	return true
}

// pump moves queued events to the Events channel, and closes it when the
// connection has ended.
func (c *Conn) pump() {
	defer close(c.events)
	for {
		c.mu.Lock()
		if len(c.queue) == 0 {
			ended := c.err != nil
			c.mu.Unlock()
			if ended {
				return
			}
			select {
			case <-c.wake:
			case <-c.done:
			}
			continue
		}
		ev := c.queue[0]
		c.queue = c.queue[1:]
		c.mu.Unlock()
		select {
		case c.events <- ev:
		case <-c.life.Done():
			return
		}
	}
}

// fail records why the connection ended, the first time only.
func (c *Conn) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
	}
}
