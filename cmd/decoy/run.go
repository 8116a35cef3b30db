package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"

	"log/slog"
	"net"
	"net/http"
	"os"

	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/sharedstate"
	"github.com/redis/go-redis/v9"
)

// errUsage is returned after the usage text was printed for a mistake; it
// exits 2. errHelp is returned after help was asked for and printed; it
// exits 0.
var (
	errUsage = errors.New("usage")
	errHelp  = errors.New("help")
)

func exitCode(err error) int {
	var ue usageError
	switch {
	case err == errHelp:
		return 0
	case err == errUsage, errors.As(err, &ue):
		return 2
	}
	return 1
}

// usageError is a flag or environment value that is wrong; it exits 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// typeName names what a flag takes, for messages.
func typeName(f *flag.Flag) string {
	name, _ := flag.UnquoteUsage(f)
	switch name {
	case "":
		return "boolean (true or false)"
	case "int", "uint":
		return "whole number"
	}
	return name
}

const usage = `decoy: an OpenAPI-driven mock server for contract testing

Usage:
  decoy [serve] [flags]     serve a spec (the embedded default API without --spec)
  decoy proxy SPEC URL      a validating proxy in front of the API at URL (decoy serve --spec SPEC --upstream URL)
  decoy record --upstream URL --dir DIR
                            proxy to URL and record the exchanges as fixtures in DIR; decoy serve --dir DIR replays them
  decoy mock SPEC [-p PORT] serve SPEC with Prism's command line (prism mock), as a drop-in
  decoy init [DIR]          write the default API into DIR as a starting point (never overwrites)
  decoy validate [flags]    load and check a project without serving: lists every load error (exit 1),
                            and the spec's findings, flaws Decoy serves around (exit 0; 1 with --strict)
  decoy routes [flags]      list the operations of a spec
  decoy report [flags]      summarize a running Decoy's coverage and violations; exit 1 when the contract was broken
  decoy verify [flags]      check a real provider (--target URL) against the spec; exit 1 when an answer breaks it
  decoy version             print the version
  decoy help                show this help

Run 'decoy COMMAND -h' for the flags of a command. Every flag can also be set
with an environment variable DECOY_<FLAG> (e.g. DECOY_PORT=8080); a flag on
the command line wins over the environment.

Exit codes: 0 success (or stopped by SIGINT/SIGTERM after draining requests),
1 runtime error (a spec or file that fails to load, a port in use, a contract
check that fails, findings with --strict), 2 usage error (an unknown command
or flag, a flag value out of range, flags that do not go together).
`

// serveMemoryHelp closes decoy serve -h: Go's own variables, and the
// defaults the decoy binary gives them (gc.go).
const serveMemoryHelp = `
Memory (Go's runtime variables; the decoy binary's defaults when unset):
  GOGC        how much the heap may grow past the live heap before the next
              collection, in percent (decoy: 400; Go's own default is 100). A
              mock's live heap is a few MiB, so at 100 the collector runs many
              times a second under load; 400 spends less CPU per request on
              collections and more memory.
  GOMEMLIMIT  a soft limit on the memory Go uses (decoy: 1GiB): the collector
              works harder near it, so a large spec does not grow RSS fourfold.
`

// run is the whole CLI: it parses args, then serves or checks. It returns
// when ctx is done (a signal) or on the first error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, stdout, stderr)
	case "proxy":
		return proxyCmd(ctx, args, stdout, stderr)
	case "record":
		return recordCmd(ctx, args, stdout, stderr)
	case "mock":
		return mockCmd(ctx, args, stdout, stderr)
	case "validate":
		return validate(ctx, args, stdout, stderr)
	case "routes":
		return listRoutes(ctx, args, stdout, stderr)
	case "report":
		return reportCmd(ctx, args, stdout, stderr)
	case "verify":
		return verifyCmd(ctx, args, stdout, stderr)
	case "init":
		return initCmd(ctx, args, stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "decoy", buildVersion())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "decoy: unknown command %q\n\n%s", cmd, usage)
	return errUsage
}

// logFormat is text or json; it parses once for flags and env alike.
type logFormat string

func (l *logFormat) UnmarshalText(b []byte) error {
	switch s := strings.ToLower(string(b)); s {
	case "text", "json":
		*l = logFormat(s)
		return nil
	}
	return fmt.Errorf("unknown log format %q (known: text, json)", b)
}

func (l logFormat) MarshalText() ([]byte, error) { return []byte(l), nil }

// parse parses args, then fills every flag not given on the command line
// from its DECOY_* environment variable. Help asked for (-h, --help) goes
// to stdout; a mistake and the hint after it to stderr.
// flagInMessage finds the flag names the flag package writes with one dash
// ("flag provided but not defined: -nope", "for flag -validate").
var flagInMessage = regexp.MustCompile(`(^|[\s:(])-([A-Za-z][\w-]*)`)

// doubleDash writes the flags of a flag package message as Decoy's help
// and README write them: --validate.
func doubleDash(msg string) string { return flagInMessage.ReplaceAllString(msg, "$1--$2") }

func parse(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	// The flag package's own messages lack the "decoy" prefix; they are
	// printed here instead.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			flagUsage(fs, stdout)
			return errHelp
		}
		fmt.Fprintf(stderr, "decoy %s: %s\nrun 'decoy %s -h' for the flags\n", fs.Name(), doubleDash(err.Error()), fs.Name())
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "decoy %s: unexpected argument %q\nrun 'decoy %s -h' for the flags\n", fs.Name(), fs.Arg(0), fs.Name())
		return errUsage
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		env := "DECOY_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		v, ok := os.LookupEnv(env)
		if given[f.Name] || !ok || err != nil {
			return
		}
		if e := fs.Set(f.Name, v); e != nil {
			reason := e.Error()
			if reason == "parse error" {
				reason = "not a valid " + typeName(f)
			}
			err = usagef("%s=%q: %s (it sets --%s)", env, v, reason, f.Name)
		}
	})
	return err
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var pf projectFlags
	pf.register(fs)
	host := fs.String("host", "127.0.0.1", "address to listen on")
	port := fs.Int("port", 4010, "port to listen on (0 picks a free one)")
	seed := fs.Uint64("seed", 0, "seed for generated data: the same seed and request give the same body")
	dynamic := fs.Bool("dynamic", false, "answer with data generated from the schema, not the spec's examples or the fixtures (Prism's -d); a request's own Prefer: dynamic=false still gets them")
	format := logFormat("text")
	fs.TextVar(&format, "log-format", format, "request log format: text (one line per request, colored on a terminal) or json")
	cors := fs.Bool("cors", true, "answer browser preflights and add CORS headers to every response")
	quiet := fs.Bool("quiet", false, "print no startup banner")
	var validation mockserver.ValidationMode
	fs.TextVar(&validation, "validate", validation, "strict: answer invalid requests with the documented error; report (or false): answer them normally, only journal their violations")
	journalSize := fs.Int("journal-size", 1000, "exchanges the request journal keeps, the oldest dropped first")
	journalBody := fs.Int("journal-body-bytes", 4096, "bytes of each request and response body the journal keeps")
	reportOnExit := fs.String("report-on-exit", "", "write the JSON coverage and violations report to `file` when stopped by SIGINT/SIGTERM")
	scenario := fs.String("scenario", "", "scenario active for every request from the start (see GET /__decoy/scenarios)")
	stateFile := fs.String("state-file", "", "keep the collections' state in `file`: restored at start, saved atomically after writes and at shutdown; a corrupt file is moved aside")
	adminToken := fs.String("admin-token", "", "require Authorization: Bearer `token` on the admin API (/__decoy/); needed to keep the admin API on when listening beyond loopback")
	allowedHosts := registerAllowedHosts(fs)
	maxBody := byteSize(10 << 20)
	fs.TextVar(&maxBody, "max-body", maxBody, "largest request body accepted (e.g. 10MiB, 512KiB); larger gets 413 (with --upstream: the largest body, either way, checked against the spec; larger streams through unchecked, with a note)")
	maxHeader := byteSize(1 << 20)
	fs.TextVar(&maxHeader, "max-header-bytes", maxHeader, "largest request header block (request line and headers) accepted; larger gets a 431 problem document")
	readHeaderTimeout := fs.Duration("read-header-timeout", 10*time.Second, "time allowed to read a request's headers")
	readTimeout := fs.Duration("read-timeout", time.Minute, "time allowed to read a whole request")
	writeTimeout := fs.Duration("write-timeout", time.Minute, "time allowed to write a response (raised above the longest scenario latency)")
	idleTimeout := fs.Duration("idle-timeout", 2*time.Minute, "how long an idle keep-alive connection stays open")
	pprofAddr := fs.String("pprof", "", "serve Go's profiler (/debug/pprof/) on this loopback `host:port`, e.g. 127.0.0.1:6060")
	watchFiles := fs.Bool("watch", true, "reload when the spec, fixtures or scenarios change on disk (files only; the embedded default never changes)")
	sharedURL := fs.String("shared-state", "", "share scenario counters, rate limits, the active scenario and the journal with other replicas through Redis at `URL` (redis://[user:password@]host:6379/0, rediss:// for TLS; password also from DECOY_REDIS_PASSWORD)")
	sharedNamespace := fs.String("shared-namespace", "", "prefix of this mock's keys in the shared Redis; default: a hash of the spec's title and version")
	sharedTimeout := fs.Duration("shared-state-timeout", sharedstate.DefaultTimeout, "longest wait for the shared state; past it the parts that need it answer 503")
	strict := fs.Bool("strict", false, "refuse to serve a spec with findings (flaws Decoy serves around; decoy validate lists them), at start and on reload")
	var px proxyFlags
	px.register(fs)
	if err := parse(fs, args, stdout, stderr); err != nil {
		if err == errHelp {
			fmt.Fprint(stdout, serveMemoryHelp)
		}
		return err
	}
	if err := allowedHosts.readEnv(); err != nil {
		return err
	}
	if *port < 0 || *port > 65535 {
		return usagef("--port %d is not a port (0 to 65535)", *port)
	}
	for name, d := range map[string]time.Duration{"read-header-timeout": *readHeaderTimeout, "read-timeout": *readTimeout, "write-timeout": *writeTimeout, "idle-timeout": *idleTimeout} {
		if d <= 0 {
			return usagef("--%s %s must be positive", name, d)
		}
	}
	if maxBody < 1 || maxHeader < 1 {
		return usagef("--max-body and --max-header-bytes must be positive")
	}
	if *journalSize < 1 {
		return usagef("--journal-size %d must be at least 1", *journalSize)
	}
	if *journalBody < 1 {
		return usagef("--journal-body-bytes %d must be at least 1", *journalBody)
	}
	proj, err := pf.resolve()
	if err != nil {
		return err
	}
	logOut := newLogWriter(stderr)
	defer logOut.Close()
	var handler slog.Handler = newLineHandler(logOut, isTerminal(stderr))
	if format == "json" {
		handler = slog.NewJSONHandler(logOut, nil)
	}
	logger := slog.New(handler)
	if *pprofAddr != "" {
		at, stop, err := startPprof(*pprofAddr, allowedHosts.names, logger)
		if err != nil {
			return err
		}
		defer stop()
		logger.Info("profiler on", "url", "http://"+at+"/debug/pprof/")
	}
	var shared *sharedstate.Redis
	if *sharedURL != "" {
		redis.SetLogger(quietRedis{}) // the binary's choice, made once here
		if *sharedTimeout <= 0 {
			return usagef("--shared-state-timeout %s must be positive", *sharedTimeout)
		}
		if *stateFile != "" {
			return usagef("--state-file %s: with --shared-state the collections live in Redis, not in a file", *stateFile)
		}
		// Opened before the project loads, so that the scenarios count in
		// it; its namespace is set once the spec is known.
		shared, err = sharedstate.Open(ctx, sharedstate.Options{URL: *sharedURL, Password: os.Getenv("DECOY_REDIS_PASSWORD"),
			Namespace: *sharedNamespace, Timeout: *sharedTimeout, Logger: logger})
		if err != nil {
			return err
		}
		defer shared.Close()
		proj.counters, proj.worlds = shared, shared
	}
	var saver *stateSaver
	if *stateFile != "" {
		saver = newStateSaver(*stateFile, logger)
		proj.onChange = saver.changed
	}
	first, err := proj.load(ctx, *seed)
	if err != nil {
		return err
	}
	spec := first.Spec
	if shared != nil && *sharedNamespace == "" {
		shared.SetNamespace(sharedstate.DefaultNamespace(spec.Doc.Info.Title, spec.Doc.Info.Version))
	}
	validateCmd := pf.validateCommand()
	if found := mockserver.FindingsOf(spec); *strict && found.Count > 0 {
		printFindings(stderr, found, false, validateCmd+" --all prints every one")
		return fmt.Errorf("--strict: %s has %s; Decoy would serve around them, --strict refuses to", proj.specShown(), countFindings(found.Count))
	}
	if saver != nil {
		if first.Fixtures == nil {
			return usagef("--state-file %s: there are no collections to keep (no fixtures and no --stateful)", *stateFile)
		}
		if err := fixtures.LoadStateFile(*stateFile, first.Fixtures); err != nil {
			var sfe *fixtures.StateFileError
			if !errors.As(err, &sfe) || sfe.MovedTo == "" {
				return err // it could not be moved aside: never overwrite it
			}
			logger.Warn(err.Error())
		}
		if gone := first.Fixtures.Carried(); len(gone) > 0 {
			logger.Warn(fmt.Sprintf("state file %s holds collections this project does not have: %s; they are kept in the file untouched, and served again if the project gets them back",
				*stateFile, strings.Join(gone, ", ")))
		}
	}
	cfg := mockserver.Config{Spec: spec, Fixtures: first.Fixtures, Scenarios: first.Scenarios, Scenario: *scenario,
		Logger: logger, Seed: *seed, Dynamic: *dynamic, CORS: *cors, Validation: validation,
		JournalSize: *journalSize, JournalBodyBytes: *journalBody,
		MaxBodyBytes: int64(maxBody), MaxHeaderBytes: int(maxHeader), AdminToken: *adminToken, AllowedHosts: allowedHosts.names}
	if shared != nil {
		cfg.Shared = shared
		logger.Info("shared state", "redis", shared.URL(), "namespace", shared.Namespace())
	}
	if !isLoopback(*host) {
		logger.Warn("listening beyond loopback: anyone who can reach this address can use the mock", "host", *host)
		if *adminToken == "" {
			cfg.DisableAdmin = true
			logger.Warn("the admin API (/__decoy/) is off because Decoy listens beyond loopback; set --admin-token to turn it on with a token")
		}
	}
	if err := px.configure(&cfg, logger); err != nil {
		return err
	}
	if longest := longestLatency(first); longest+30*time.Second > *writeTimeout {
		*writeTimeout = longest + 30*time.Second
	}
	srv, err := mockserver.New(cfg)
	if err != nil {
		if *scenario != "" && (first.Scenarios == nil || first.Scenarios.Lookup(*scenario) == nil) {
			return usagef("--scenario: %v", err) // a name the project does not have
		}
		return err
	}
	if saver != nil {
		saver.store = srv.Fixtures
		go saver.run(ctx)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(*host, strconv.Itoa(*port)))
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if n := mockserver.FindingsOf(spec).Count; !*quiet {
		banner(stdout, cfg, proj.specShown(), proj.served(), "http://"+ln.Addr().String(), validateCmd)
	} else if n > 0 {
		logger.Warn(fmt.Sprintf("%s (%s lists them)", countFindings(n), validateCmd))
	}
	var served http.Handler = tuned(srv)
	hs := &http.Server{
		Handler:           served,
		ReadHeaderTimeout: *readHeaderTimeout,
		ReadTimeout:       *readTimeout,
		WriteTimeout:      *writeTimeout,
		IdleTimeout:       *idleTimeout,
		// net/http reads a little past the bound, so that the handler
		// answers an exact 431 problem document (see HTTPMaxHeaderBytes).
		MaxHeaderBytes: mockserver.HTTPMaxHeaderBytes(int(maxHeader)),
		ErrorLog:       slog.NewLogLogger(handler, slog.LevelWarn),
		// Answers of a few KiB leave in one TCP push (see tuned).
		ConnContext: connContext,
	}
	// Open dashboards' event streams end at shutdown instead of holding it.
	hs.RegisterOnShutdown(srv.CloseStreams)
	errc := make(chan error, 1)
	// The watcher is stopped and waited for before serve returns, on every
	// path: a reload finishing after that would log past "stopped", swap
	// the state under the state file's last save, and outlive a caller
	// that runs serve again (tests do).
	watchCtx, cancelWatch := context.WithCancel(ctx)
	watching := make(chan struct{}) // closed when the watcher has returned
	stopWatching := sync.OnceFunc(func() {
		cancelWatch()
		select {
		case <-watching:
		case <-time.After(watcherStopWait):
			logger.Warn(fmt.Sprintf("the file watcher did not stop within %s; stopping without it", watcherStopWait))
		}
	})
	defer stopWatching()
	if *watchFiles && (!proj.embedded || proj.ownFixtures || proj.ownScenarios) {
		apply := func(l *loaded) error {
			if n := mockserver.FindingsOf(l.Spec).Count; n > 0 {
				if *strict {
					return fmt.Errorf("--strict: %s has %s (%s lists them)", proj.specShown(), countFindings(n), validateCmd)
				}
				logger.Warn(fmt.Sprintf("%s (%s lists them)", countFindings(n), validateCmd))
			}
			// Reload carries the writes made so far over to the new
			// files, in the same step as the swap.
			return srv.Reload(*l)
		}
		var own ownFiles
		own.add(*stateFile)
		own.add(*reportOnExit)
		ready := make(chan struct{})
		go func() {
			defer close(watching)
			if err := watch(watchCtx, proj, *seed, first, apply, own, srv.ReloadFailed, logger, ready); err != nil {
				logger.Warn("not watching files", "err", err.Error())
			}
		}()
		// Requests are answered only once the folders are watched: an edit
		// made after the first answer is then always seen.
		<-ready
	} else {
		close(watching)
	}
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	shutdownErr := hs.Shutdown(shutdown)
	stopWatching()
	if saver != nil {
		saver.close()
	}
	if *reportOnExit != "" {
		if err := writeReportFile(*reportOnExit, srv.Report()); err != nil {
			return fmt.Errorf("--report-on-exit: %w", err)
		}
		logger.Info("report written", "file", *reportOnExit)
	}
	if shutdownErr != nil {
		return fmt.Errorf("shutdown: %w", shutdownErr)
	}
	logger.Info("stopped")
	return nil
}

// watcherStopWait bounds the wait for the file watcher at shutdown: a
// reload in progress finishes loading first (spec loading does not stop
// halfway), which takes under a second even for GitHub's description.
const watcherStopWait = 10 * time.Second

// banner says what is served where: the spec, the folder it comes from
// (served), its routes, its scenarios and how many findings it has
// (validateCmd lists them, and the admin API when cfg leaves it on).
func banner(w io.Writer, cfg mockserver.Config, specShown, served, url, validateCmd string) {
	spec := cfg.Spec
	fmt.Fprintf(w, "decoy: serving %q %s (%s, OpenAPI %s, %d operations) on %s\n",
		spec.Doc.Info.Title, spec.Doc.Info.Version, specShown, spec.Version, len(spec.Operations), url)
	fmt.Fprintf(w, "  from %s\n", served)
	if !cfg.DisableAdmin {
		fmt.Fprintf(w, "  dashboard: %s%s\n", url, mockserver.AdminPrefix)
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, rt := range mockserver.RoutesOf(cfg) {
		fmt.Fprintf(tw, "  %s\t%s%s\t%s\t%s\t%s\n", rt.Method, url, rt.Path, rt.Operation, strings.Join(rt.Statuses, " "), strings.Join(rt.AnsweredBy, ", "))
	}
	tw.Flush()
	if cfg.Upstream != nil {
		mode := "answers returned unchanged, violations in the sl-violations header"
		if cfg.Upstream.Errors() {
			mode = "--errors: invalid requests answered by Decoy, broken answers turned into 502"
		}
		fmt.Fprintf(w, "  proxying to %s (%s)\n", cfg.Upstream.URL().Redacted(), mode)
		if len(cfg.MockOnly) > 0 {
			fmt.Fprintf(w, "  mock only: %s\n", strings.Join(cfg.MockOnly, ", "))
		}
	}
	if cfg.Scenarios != nil && cfg.Scenarios.Len() > 0 {
		fmt.Fprintf(w, "  scenarios: %s (Prefer: scenario=NAME, or PUT %s/__decoy/scenario)\n", strings.Join(cfg.Scenarios.Names(), ", "), url)
	}
	if n := mockserver.FindingsOf(spec).Count; n > 0 {
		also := ""
		if !cfg.DisableAdmin {
			also = "; GET " + url + mockserver.AdminPrefix + "findings"
		}
		fmt.Fprintf(w, "  %s (%s lists them%s)\n", countFindings(n), validateCmd, also)
	}
}

// validate loads and checks a project without serving it. Load errors
// (what cannot be served at all) exit 1; findings (flaws Decoy serves
// around) are listed and exit 0, or 1 with --strict.
func validate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	var pf projectFlags
	pf.register(fs)
	strict := fs.Bool("strict", false, "exit 1 when the spec has any finding (a spec lint step in CI)")
	all := fs.Bool("all", false, fmt.Sprintf("print every finding (default: the first %d of each class)", findingsShown))
	format := outputFormat("text")
	fs.TextVar(&format, "format", format, "text (findings grouped by class, then a summary) or json (an array of findings, for tools)")
	if err := parse(fs, args, stdout, stderr); err != nil {
		return err
	}
	proj, err := pf.resolve()
	if err != nil {
		return err
	}
	l, err := proj.load(ctx, 0)
	if err != nil {
		// Every problem, one per line, then the count.
		n := strings.Count(err.Error(), "\n") + 1
		fmt.Fprintln(stderr, err)
		return fmt.Errorf("%d problem(s) found", n)
	}
	found := mockserver.FindingsOf(l.Spec)
	if format == "json" {
		if err := writeFindingsJSON(stdout, found); err != nil {
			return err
		}
	} else {
		printFindings(stdout, found, *all, "--all prints every one")
		if found.Count > 0 {
			fmt.Fprintln(stdout)
		}
		fmt.Fprintf(stdout, "%s: OpenAPI %s, %d operations, %s", proj.specShown(), l.Spec.Version, len(l.Spec.Operations), countFindings(found.Count))
		if l.Fixtures != nil {
			fmt.Fprintf(stdout, "; %d collections, %d stubs", len(l.Fixtures.Collections()), len(l.Fixtures.Stubs()))
		}
		if l.Scenarios != nil {
			fmt.Fprintf(stdout, "; %d scenarios", l.Scenarios.Len())
		}
		fmt.Fprintln(stdout)
	}
	if *strict && found.Count > 0 {
		return fmt.Errorf("%s, and --strict fails on any", countFindings(found.Count))
	}
	return nil
}

func listRoutes(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	l, err := loadFor(ctx, "routes", args, stdout, stderr)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "METHOD\tPATH\tOPERATION\tSTATUSES\tANSWERED BY")
	for _, rt := range mockserver.RoutesOf(*l) {
		by := strings.Join(rt.AnsweredBy, ", ")
		if by == "" {
			by = "examples / generated"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", rt.Method, rt.Path, rt.Operation, strings.Join(rt.Statuses, " "), by)
	}
	return tw.Flush()
}

// loadFor parses the project flags of command and loads the project.
func loadFor(ctx context.Context, command string, args []string, stdout, stderr io.Writer) (*loaded, error) {
	fs := flag.NewFlagSet(command, flag.ContinueOnError)
	var pf projectFlags
	pf.register(fs)
	if err := parse(fs, args, stdout, stderr); err != nil {
		return nil, err
	}
	proj, err := pf.resolve()
	if err != nil {
		return nil, err
	}
	return proj.load(ctx, 0)
}

// quietRedis drops go-redis's own log lines (its package-level logger
// writes to stderr): Decoy logs the shared state's outages itself, once
// per outage, in its own format.
type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}
