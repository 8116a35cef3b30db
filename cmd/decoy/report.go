package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/decoy-mock/decoy/internal/junit"
	"github.com/decoy-mock/decoy/mockserver"
)

// errContract is wrapped by the error `decoy report` returns when the
// client broke the contract (with --fail-on-violations) or exercised too
// little of it (below --min-coverage). It exits 1, like any runtime error;
// errors.Is tells it apart.
var errContract = errors.New("contract check failed")

// reportCmd is `decoy report`: it asks a running Decoy for its coverage and
// violations, prints a summary (or the JSON report), optionally writes a
// JUnit XML file, and fails when the contract was broken or not covered
// enough.
func reportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	base := fs.String("url", "http://127.0.0.1:4010", "base URL of the running Decoy")
	failOnViolations := fs.Bool("fail-on-violations", false, "fail (exit 1) when any request broke the contract")
	minCoverage := fs.Float64("min-coverage", 0, "fail (exit 1) when less than this percentage of the documented responses was returned, 0 to 100")
	junit := fs.String("junit", "", "also write the report as a JUnit XML `file` for CI dashboards")
	asJSON := fs.Bool("json", false, "print the report as JSON instead of a summary")
	timeout := fs.Duration("timeout", 10*time.Second, "how long to wait for Decoy to answer")
	adminToken := fs.String("admin-token", "", "send Authorization: Bearer `token` to the admin API, as a Decoy started with --admin-token requires")
	if err := parse(fs, args, stdout, stderr); err != nil {
		return err
	}
	if *minCoverage < 0 || *minCoverage > 100 {
		return usagef("--min-coverage %v is not a percentage (0 to 100)", *minCoverage)
	}
	if *timeout <= 0 {
		return usagef("--timeout %s must be positive", *timeout)
	}
	u, err := url.Parse(*base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("--url %q is not an http(s) URL such as http://127.0.0.1:4010", *base)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	rep, err := fetchReport(ctx, &adminClient{token: *adminToken}, strings.TrimRight(*base, "/"))
	if err != nil {
		return err
	}
	if *asJSON {
		b, _ := json.MarshalIndent(rep, "", "  ")
		fmt.Fprintf(stdout, "%s\n", b)
	} else {
		printReport(stdout, rep)
	}
	if *junit != "" {
		data, err := junitXML(rep, *minCoverage)
		if err != nil {
			return err
		}
		if err := writeFileAtomic(*junit, data); err != nil {
			return fmt.Errorf("--junit: %w", err)
		}
	}
	var failed []string
	if *failOnViolations && rep.Summary.Violations > 0 {
		failed = append(failed, fmt.Sprintf("%d of %s broke the contract (--fail-on-violations)",
			rep.Violations.Requests, plural(rep.Summary.Requests, "request")))
	}
	if *minCoverage > 0 && rep.Summary.Coverage < *minCoverage {
		failed = append(failed, fmt.Sprintf("%v%% of the documented responses were returned, below --min-coverage %v",
			rep.Summary.Coverage, *minCoverage))
	}
	if len(failed) > 0 {
		return fmt.Errorf("%w: %s", errContract, strings.Join(failed, "; "))
	}
	return nil
}

// adminClient calls a running Decoy's admin API, with its admin token when
// one is given. Every command that calls the admin API uses it, so that
// each takes --admin-token (env DECOY_ADMIN_TOKEN) alike.
type adminClient struct {
	http.Client
	token string
}

// fetchReport builds the report from base's /__decoy/coverage and
// /__decoy/violations, as GET /__decoy/report would.
func fetchReport(ctx context.Context, client *adminClient, base string) (mockserver.Report, error) {
	var c mockserver.Coverage
	var v mockserver.Violations
	if err := getJSON(ctx, client, base, "/__decoy/coverage", &c); err != nil {
		return mockserver.Report{}, err
	}
	if err := getJSON(ctx, client, base, "/__decoy/violations", &v); err != nil {
		return mockserver.Report{}, err
	}
	return mockserver.NewReport(c, v, time.Now()), nil
}

func getJSON(ctx context.Context, client *adminClient, base, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return fmt.Errorf("--url %s: %w", base, err)
	}
	req.Header.Set("Accept", "application/json")
	if client.token != "" {
		req.Header.Set("Authorization", "Bearer "+client.token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach Decoy at %s: %w", base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("reading %s%s: %w", base, path, err)
	}
	if resp.StatusCode == http.StatusUnauthorized && strings.Contains(string(body), "admin-unauthorized") {
		if client.token == "" {
			return fmt.Errorf("%s%s answered %s: this Decoy runs with --admin-token; pass the same token with --admin-token or DECOY_ADMIN_TOKEN", base, path, resp.Status)
		}
		return fmt.Errorf("%s%s answered %s: the --admin-token given (or DECOY_ADMIN_TOKEN) is not the one this Decoy runs with", base, path, resp.Status)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s%s answered %s; is Decoy serving at %s? %.200s", base, path, resp.Status, base, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%s%s is not a Decoy answer: %w", base, path, err)
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// printReport writes the human summary: coverage per operation, spec gaps,
// violations by kind with an example each.
func printReport(w io.Writer, r mockserver.Report) {
	c, s := r.Coverage, r.Summary
	fmt.Fprintf(w, "Decoy report: %s %s (%s), %s\n", c.Title, c.Version, c.Spec, plural(s.Requests, "request"))
	if c.Upstream != "" {
		fmt.Fprintf(w, "Proxying to %s: violations of the requests (side request) and of its answers (side response)\n", c.Upstream)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Operations exercised:  %d/%d (%v%%)\n", s.OperationsHit, s.Operations, c.Totals.OperationsPercent)
	fmt.Fprintf(w, "Responses returned:    %d/%d (%v%%)\n\n", s.ResponsesHit, s.Responses, s.Coverage)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, op := range c.Operations {
		var missing []string
		for _, resp := range op.Responses {
			if !resp.Hit {
				missing = append(missing, resp.Code)
			}
		}
		note := "all documented responses returned"
		switch {
		case op.Requests == 0:
			note = "never called"
		case len(missing) > 0:
			note = "missing " + strings.Join(missing, " ")
		}
		fmt.Fprintf(tw, "  %s\t%s %s\t%d/%d\t%v%%\t%s\n", op.Operation, op.Method, op.Path, op.Covered, op.Documented, op.Percent, note)
	}
	tw.Flush()
	if len(c.Gaps) > 0 {
		fmt.Fprintf(w, "\nSpec gaps: statuses Decoy answered that the operation does not document\n")
		tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		for _, g := range c.Gaps {
			fmt.Fprintf(tw, "  %s\t%s %s\t%d\t×%d\n", g.Operation, g.Method, g.Path, g.Status, g.Count)
		}
		tw.Flush()
	}
	v := r.Violations
	if v.Total == 0 {
		fmt.Fprintf(w, "\nViolations: none, every request kept the contract\n")
		return
	}
	fmt.Fprintf(w, "\nViolations: %d in %s (%d kinds)\n", v.Total, plural(v.Requests, "request"), s.ViolationKinds)
	tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, g := range v.Groups {
		e := g.Example
		kind := g.Kind
		if c.Upstream != "" {
			kind = g.Side + "\t" + g.Kind
		}
		fmt.Fprintf(tw, "  %s\t%s\t×%d\te.g. %s %s → %d: %s\n", g.Operation, kind, g.Count, e.Method, e.Target, e.Status, e.Message)
	}
	tw.Flush()
	if v.UnknownPathsOmitted > 0 {
		fmt.Fprintf(w, "  (%s to further unknown paths not listed)\n", plural(v.UnknownPathsOmitted, "request"))
	}
}

// junitXML renders r as JUnit XML: one test case per operation, named
// "operationId (METHOD /path)" with the spec's title as class name; a
// <failure> when violations were seen on it (the first kind as type and
// message, every kind with its example in the text, since the JUnit schema
// allows one failure per test case); its coverage as properties (responses,
// covered, uncovered, requests, gaps), not as failures, since an unexercised
// response is a gap in the client's tests rather than a broken contract; and
// <skipped> for an operation no request reached. Requests no operation
// matched make a "(no route)" case, and --min-coverage a case of its own.
func junitXML(r mockserver.Report, minCoverage float64) ([]byte, error) {
	class := r.Coverage.Title
	if class == "" {
		class = "decoy"
	}
	byOp := map[string][]mockserver.ViolationGroup{}
	for _, g := range r.Violations.Groups {
		byOp[g.Operation] = append(byOp[g.Operation], g)
	}
	suite := junit.Suite{Name: class, Timestamp: r.Generated.UTC().Format("2006-01-02T15:04:05"), Properties: junit.Props(
		"spec", r.Coverage.Spec,
		"version", r.Coverage.Version,
		"requests", strconv.Itoa(r.Summary.Requests),
		"operations", fmt.Sprintf("%d/%d", r.Summary.OperationsHit, r.Summary.Operations),
		"responses", fmt.Sprintf("%d/%d", r.Summary.ResponsesHit, r.Summary.Responses),
		"coverage", fmt.Sprintf("%v%%", r.Summary.Coverage),
	)}
	gaps := map[string][]string{}
	for _, g := range r.Coverage.Gaps {
		gaps[g.Operation] = append(gaps[g.Operation], fmt.Sprintf("%d×%d", g.Status, g.Count))
	}
	for _, op := range r.Coverage.Operations {
		var covered, uncovered []string
		for _, resp := range op.Responses {
			if resp.Hit {
				covered = append(covered, resp.Code)
			} else {
				uncovered = append(uncovered, resp.Code)
			}
		}
		tc := junit.Case{Name: fmt.Sprintf("%s (%s %s)", op.Operation, op.Method, op.Path), Classname: class, Properties: junit.Props(
			"requests", strconv.Itoa(op.Requests),
			"responses", fmt.Sprintf("%d/%d", op.Covered, op.Documented),
			"covered", strings.Join(covered, " "),
			"uncovered", strings.Join(uncovered, " "),
		)}
		if g := gaps[op.Operation]; len(g) > 0 {
			tc.Properties = tc.Properties.With("gaps", strings.Join(g, " "))
		}
		if r.Coverage.Upstream == "" {
			tc.Failure = junitFailureOf(byOp[op.Operation])
			if op.Requests == 0 && tc.Failure == nil {
				tc.Skipped = &junit.Skipped{Message: "not exercised: no request reached this operation"}
			}
			suite.Cases = append(suite.Cases, tc)
			continue
		}
		// Proxy mode: one case per side, the client's requests and the
		// upstream's answers, so that consumer and provider drift fail
		// apart.
		for _, side := range []string{mockserver.SideRequest, mockserver.SideResponse} {
			sc := tc
			sc.Name += " " + side
			sc.Properties = tc.Properties.With("side", side)
			var groups []mockserver.ViolationGroup
			for _, g := range byOp[op.Operation] {
				if g.Side == side {
					groups = append(groups, g)
				}
			}
			sc.Failure = junitFailureOf(groups)
			if op.Requests == 0 && sc.Failure == nil {
				sc.Skipped = &junit.Skipped{Message: "not exercised: no request reached this operation"}
			}
			suite.Cases = append(suite.Cases, sc)
		}
	}
	if groups := byOp[mockserver.NoRoute]; len(groups) > 0 {
		tc := junit.Case{Name: mockserver.NoRoute, Classname: class, Failure: junitFailureOf(groups)}
		var lines []string
		for _, u := range r.Violations.UnknownPaths {
			lines = append(lines, fmt.Sprintf("%s %s ×%d", u.Method, u.Path, u.Count))
		}
		tc.SystemOut = strings.Join(lines, "\n")
		suite.Cases = append(suite.Cases, tc)
	}
	if minCoverage > 0 {
		tc := junit.Case{Name: fmt.Sprintf("response coverage ≥ %v%%", minCoverage), Classname: class}
		if r.Summary.Coverage < minCoverage {
			tc.Failure = &junit.Failure{Type: "coverage", Message: fmt.Sprintf("%v%% of the documented responses were returned (%d/%d), below %v%%",
				r.Summary.Coverage, r.Summary.ResponsesHit, r.Summary.Responses, minCoverage)}
		}
		suite.Cases = append(suite.Cases, tc)
	}
	for i := range suite.Cases {
		suite.Cases[i].Time = "0" // Decoy does not time the client's tests
		tc := suite.Cases[i]
		suite.Tests++
		switch {
		case tc.Failure != nil:
			suite.Failures++
		case tc.Skipped != nil:
			suite.Skipped++
		}
	}
	suite.Time = "0"
	doc := junit.Suites{Name: "decoy", Tests: suite.Tests, Failures: suite.Failures, Skipped: suite.Skipped, Time: "0", Suites: []junit.Suite{suite}}
	out, err := junit.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encoding JUnit XML: %w", err)
	}
	return out, nil
}

// junitFailureOf is the one failure of a test case whose requests broke
// the contract in the ways groups lists, or nil for none: the first kind is
// its type and message; the text describes every kind, the first too.
func junitFailureOf(groups []mockserver.ViolationGroup) *junit.Failure {
	if len(groups) == 0 {
		return nil
	}
	first := groups[0]
	f := &junit.Failure{Type: first.Kind, Message: fmt.Sprintf("%s ×%d: %s", first.Kind, first.Count, first.Example.Message)}
	if len(groups) > 1 {
		f.Message += " (and " + plural(len(groups)-1, "more kind") + ")"
	}
	texts := make([]string, 0, len(groups))
	for _, g := range groups {
		e := g.Example
		texts = append(texts, fmt.Sprintf("%s seen %s; first: %s %s → %d at %s (GET /__decoy/requests/%d)\n%s",
			g.Kind, plural(g.Count, "time"), e.Method, e.Target, e.Status, e.Time.UTC().Format(time.RFC3339), e.ID, e.Message))
	}
	f.Text = strings.Join(texts, "\n\n")
	return f
}

// writeReportFile writes r as indented JSON to path atomically, for `decoy
// serve --report-on-exit FILE`: readers see the old file or the whole new
// one, never a part.
func writeReportFile(path string, r mockserver.Report) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the report: %w", err)
	}
	return writeFileAtomic(path, append(data, '\n'))
}

// writeFileAtomic writes data to a temporary file in path's folder, syncs
// it, and renames it over path.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	// Make the rename itself durable; not every system can sync a folder.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
