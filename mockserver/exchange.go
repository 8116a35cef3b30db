package mockserver

import (
	"net/http"
	"net/url"
	"time"

	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/openapi"
)

// exchange is what Decoy records of one request while answering it.
type exchange struct {
	start  time.Time
	op     *openapi.Operation
	params map[string]string
	query  *openapi.Query
	body   []byte
	// bodyJSON is body decoded (json.Number numbers) when it is clean
	// JSON; the fixtures take it over.
	bodyJSON   any
	prefs      Preferences
	status     int
	source     string // "example", "generated", "decoy", "admin"
	violations []openapi.Violation
	// gap is set when Decoy answered a status the spec does not document.
	gap bool
	// scenario and rule name what a scenario did to this request, if anything.
	scenario, rule string
	// client is the client key: X-Decoy-Client, else "".
	client string
	// ahead is the read of the shared world the answer will read, started
	// before the scenario's count (see readAhead); nil for none.
	ahead *fixtures.ReadAhead
	// closest are the path templates nearest an unmatched path.
	closest []string
	// kind is the problem kind of a Decoy error ("no-route", "unauthorized"…),
	// and detail the sentence its answer gave the client.
	kind, detail string
	// fixture names the stub or collection that answered.
	fixture string
	// honoured is set when the answer is the one the request's
	// preferences asked for, so Preference-Applied may be sent.
	honoured bool
	// respHeader is the header map of the answer written (nil: none
	// written); respBody the start of its body the journal keeps, and
	// respBytes the body's full length.
	respHeader http.Header
	respBody   []byte
	respBytes  int
	// respViolations are the ways an upstream's answer broke the
	// contract (proxy mode); notes what the proxy found that is no
	// violation (a body too large to check, an exchange not recorded).
	respViolations []openapi.Violation
	notes          []string
}

// queryValues is the request's parsed query; nil (parse it again) before
// routing has parsed it.
func (ex *exchange) queryValues() url.Values {
	if ex.query == nil {
		return nil
	}
	return ex.query.Values
}

// Sources of an answer, as logged and journaled.
const (
	sourceExample   = "example"
	sourceGenerated = "generated"
	sourceDecoy     = "decoy"
	sourceAdmin     = "admin"
)
