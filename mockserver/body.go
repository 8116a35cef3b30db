package mockserver

import (
	"errors"
	"fmt"
	"io"
	"net/http"
)

// readBody reads r's body, at most Config.MaxBodyBytes of it. A body
// declared larger is refused (413) without reading a byte of it; one that
// grows past the bound as it arrives is refused when it does; a body that
// cannot be read is a 400.
func (s *Server) readBody(r *http.Request) ([]byte, error) {
	if r.ContentLength > s.cfg.MaxBodyBytes {
		return nil, problemOf("payload-too-large", fmt.Sprintf("the request body is %d bytes, larger than the limit of %d bytes", r.ContentLength, s.cfg.MaxBodyBytes))
	}
	var body []byte
	var err error
	switch {
	case r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0:
	case r.ContentLength > 0 && r.ContentLength <= 64<<10:
		// A small declared length: one exact read. (A large one grows
		// as the bytes arrive, so a client cannot make Decoy reserve
		// megabytes it never sends.)
		body = make([]byte, r.ContentLength)
		var n int
		n, err = io.ReadFull(r.Body, body)
		body = body[:n]
	default:
		body, err = io.ReadAll(http.MaxBytesReader(nil, r.Body, s.cfg.MaxBodyBytes))
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, problemOf("payload-too-large", fmt.Sprintf("the request body is larger than %d bytes", s.cfg.MaxBodyBytes))
		}
		return nil, problemOf("unreadable-body", "reading the request body: "+err.Error())
	}
	return body, nil
}
