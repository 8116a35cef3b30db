package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// mockUsage is decoy mock's help: Prism's command line, so that scripts
// written for `prism mock` run Decoy unchanged.
const mockUsage = `Usage: decoy mock SPEC [-p PORT] [-h HOST] [-d|--dynamic] [--errors] [--cors=false] [--seed N]

Prism's command line (prism mock), as a drop-in: the same as
  decoy serve --spec SPEC [--port PORT] [--host HOST] [--dynamic] [--cors=false] [--seed N]
with Prism's short flags.

  SPEC            the OpenAPI 3.0/3.1 or Swagger 2.0 file (YAML or JSON) to serve
  -p, --port      port to listen on (default 4010; 0 picks a free one)
  -h, --host      address to listen on (default 127.0.0.1)
  -d, --dynamic   answer with data generated from the schema, not the spec's
                  examples (decoy serve --dynamic; a request's own
                  Prefer: dynamic=false still wins)
  --errors        answer a request that breaks the contract with the documented
                  error (422, 400, ...): Decoy does so already; accepted for Prism's scripts
  --cors          answer browser preflights and add CORS headers (default true)
  --seed          seed for generated data: the same seed and request give the same body
  --help          show this help

Every other decoy serve setting applies through its DECOY_* environment
variable (e.g. DECOY_SCENARIO=slow); 'decoy serve -h' lists them. Prism's
Prefer: code=, example=, dynamic= headers and __code, __example, __dynamic
query keys work as they do in Prism.
`

// mockCmd is decoy mock: it reads Prism's flags and runs decoy serve with
// the matching ones. A flag Prism has and Decoy does not is a usage error
// that says what to use instead.
func mockCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	serveArgs, err := mockArgs(args)
	if err == errHelp {
		fmt.Fprint(stdout, mockUsage)
		return errHelp
	}
	if err != nil {
		fmt.Fprintf(stderr, "decoy mock: %v\nrun 'decoy mock --help' for the flags\n", err)
		return errUsage
	}
	return serve(ctx, serveArgs, stdout, stderr)
}

// mockArgs turns Prism's arguments into decoy serve's (-d becomes
// --dynamic). Flags may come before or after SPEC, as Prism
// (yargs) allows, in the forms -p 4010, -p=4010, --port 4010, --port=4010;
// a boolean flag takes =true or =false, or --no-NAME.
func mockArgs(args []string) (serveArgs []string, err error) {
	var spec string
	dynamic := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			if i+1 < len(args) {
				return nil, fmt.Errorf("unexpected argument %q after --", args[i+1])
			}
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			if spec != "" {
				return nil, fmt.Errorf("unexpected argument %q: give one SPEC (%q already)", a, spec)
			}
			spec = a
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		negated := false
		if n, ok := strings.CutPrefix(name, "no-"); ok && strings.HasPrefix(a, "--") && !hasValue {
			name, negated = n, true
		}
		// takeValue reads the flag's value: after = or as the next argument.
		takeValue := func() (string, error) {
			if hasValue {
				return value, nil
			}
			if i+1 >= len(args) {
				return "", fmt.Errorf("flag %s needs a value", a)
			}
			i++
			return args[i], nil
		}
		boolValue := func() (bool, error) {
			if negated {
				return false, nil
			}
			if !hasValue {
				return true, nil
			}
			b, err := strconv.ParseBool(value)
			if err != nil {
				return false, fmt.Errorf("flag %s: %q is not true or false", a, value)
			}
			return b, nil
		}
		switch name {
		case "help":
			return nil, errHelp
		case "p", "port":
			v, err := takeValue()
			if err != nil {
				return nil, err
			}
			if n, err := strconv.Atoi(v); err != nil || n < 0 || n > 65535 {
				return nil, fmt.Errorf("flag %s: %q is not a port (0 to 65535)", a, v)
			}
			serveArgs = append(serveArgs, "--port", v)
		case "h", "host":
			v, err := takeValue()
			if err != nil {
				return nil, err
			}
			serveArgs = append(serveArgs, "--host", v)
		case "d", "dynamic":
			if dynamic, err = boolValue(); err != nil {
				return nil, err
			}
		case "errors":
			// Decoy answers a request's violations with the documented error
			// already (--validate strict, the default).
			if _, err := boolValue(); err != nil {
				return nil, err
			}
		case "cors":
			b, err := boolValue()
			if err != nil {
				return nil, err
			}
			serveArgs = append(serveArgs, "--cors="+strconv.FormatBool(b))
		case "seed":
			v, err := takeValue()
			if err != nil {
				return nil, err
			}
			if _, err := strconv.ParseUint(v, 10, 64); err != nil {
				return nil, fmt.Errorf("flag %s: %q is not a whole number", a, v)
			}
			serveArgs = append(serveArgs, "--seed", v)
		default:
			if hint, ok := prismOnly[name]; ok {
				return nil, fmt.Errorf("Prism's flag %s has no match in decoy mock: %s", a, hint)
			}
			return nil, fmt.Errorf("unknown flag %s (decoy mock takes Prism's -p, -h, -d, --errors, --cors, --seed; 'decoy serve -h' has the rest)", a)
		}
	}
	if spec == "" {
		return nil, fmt.Errorf("no SPEC: decoy mock serves the OpenAPI file it is given, as prism mock does (decoy serve, with no file, serves the embedded default API)")
	}
	if strings.HasPrefix(spec, "http://") || strings.HasPrefix(spec, "https://") {
		return nil, fmt.Errorf("SPEC %q is a URL; Decoy serves a file: download it first (curl -fsSLo openapi.yaml %s)", spec, spec)
	}
	if dynamic {
		serveArgs = append(serveArgs, "--dynamic")
	}
	return append([]string{"--spec", spec}, serveArgs...), nil
}

// prismOnly are Prism's flags that decoy mock does not take, with what to
// do instead.
var prismOnly = map[string]string{
	"m":                                "Decoy serves from one process; drop it",
	"multiprocess":                     "Decoy serves from one process; drop it",
	"v":                                "Decoy logs one line per request; DECOY_LOG_FORMAT=json makes them JSON",
	"verboseLevel":                     "Decoy logs one line per request; DECOY_LOG_FORMAT=json makes them JSON",
	"ignoreExamples":                   "use -d (--dynamic), which generates data instead of the examples",
	"json-schema-faker-fillProperties": "Decoy generates the properties its schemas document; drop it",
	"jsonSchemaFakerFillProperties":    "Decoy generates the properties its schemas document; drop it",
}
