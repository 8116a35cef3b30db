package mockserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// How a journal entry travels between replicas. A record is the entry,
// with what its tallies need of the exchange, as one line of JSON without
// its two bodies, then the bodies as they are:
//
//	{"id":0,…,"x_body_len":N,"x_response_body_len":M}\n<N bytes><M bytes>
//
// The bodies (JSON text mostly, every quote of which a JSON string
// escapes) are most of an entry; escaping them cost the writer more than
// the rest of the entry, and the reader as much again. A record without
// the line break is one of an older Decoy, its bodies inside the JSON: it
// reads as well.

// sharedRecord is a journal entry as the replicas share it: the entry, and
// what its tallies need of the exchange (the event), by name.
type sharedRecord struct {
	Entry
	Op       string         `json:"x_op,omitempty"`
	Response string         `json:"x_response,omitempty"`
	Breaches []sharedBreach `json:"x_breaches,omitempty"`
	// BodyLen and ResponseBodyLen are the lengths of the request's and the
	// response's body, which follow the line.
	BodyLen         int `json:"x_body_len,omitempty"`
	ResponseBodyLen int `json:"x_response_body_len,omitempty"`
}

type sharedBreach struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// recordOf returns the record of a built entry and its event, the bodies
// left in the entry.
func recordOf(e Entry, ev event) sharedRecord {
	rec := sharedRecord{Entry: e, Response: ev.response}
	if ev.op != nil {
		rec.Op = ev.op.ID
	}
	for _, b := range ev.breaks {
		rec.Breaches = append(rec.Breaches, sharedBreach{Kind: b.kind, Message: b.message})
	}
	return rec
}

// appendRecord appends the record of a built entry and its event to dst.
func appendRecord(dst []byte, e Entry, ev event) []byte {
	rec := recordOf(e, ev)
	body, respBody := rec.Body, ""
	rec.Body, rec.BodyLen = "", len(body)
	if e.Response != nil {
		resp := *e.Response
		respBody, resp.Body = resp.Body, ""
		rec.Entry.Response, rec.ResponseBodyLen = &resp, len(respBody)
	}
	dst = appendRecordJSON(dst, &rec)
	dst = append(dst, '\n')
	dst = append(dst, body...)
	return append(dst, respBody...)
}

// decodedText returns b as the JSON string it was kept as in older records
// decodes: every byte that is not part of valid UTF-8 is U+FFFD, so that
// both read the same.
func decodedText(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return string([]rune(string(b)))
}

// errRecord is a record no Decoy wrote.
var errRecord = errors.New("not a journal record")

// readRecord decodes a record, of this version or of an older one.
func readRecord(data []byte) (sharedRecord, error) {
	var rec sharedRecord
	line, bodies, framed := bytes.Cut(data, []byte{'\n'})
	if err := json.Unmarshal(line, &rec); err != nil {
		return rec, err
	}
	if !framed {
		return rec, nil // an older Decoy's: the bodies are inside
	}
	n, m := rec.BodyLen, rec.ResponseBodyLen
	if n < 0 || m < 0 || n+m != len(bodies) || (m > 0 && rec.Entry.Response == nil) {
		return rec, fmt.Errorf("%w: bodies of %d and %d bytes announced, %d follow", errRecord, n, m, len(bodies))
	}
	rec.Body = decodedText(bodies[:n])
	if rec.Entry.Response != nil {
		rec.Entry.Response.Body = decodedText(bodies[n:])
	}
	rec.BodyLen, rec.ResponseBodyLen = 0, 0
	return rec, nil
}
