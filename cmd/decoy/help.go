package main

import (
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// version, commit, commitTime and commitModified are set at build time by
// scripts/release with -ldflags "-X main.version=v1.2.3 -X main.commit=SHA
// -X main.commitTime=2026-12-04T16:00:00Z" (and -X main.commitModified=true
// for a work tree with uncommitted changes), which builds with
// -buildvcs=false so that the binary holds nothing else about the tree.
// Unset, they leave the module version and Go's VCS stamp to speak.
var (
	version        = ""
	commit         = ""
	commitTime     = ""
	commitModified = ""
)

// buildVersion is what `decoy version` prints after "decoy": the module
// version (v1.2.3 from go install, "(devel)" from a checkout) and, when the
// binary was built from a checkout, the VCS stamp Go recorded in it:
// "(devel) commit 1a2b3c4 2026-12-04T16:00:00Z, modified". A release
// build's stamped fields win over both.
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	v := version
	switch {
	case v != "":
	case ok && info.Main.Version != "":
		v = info.Main.Version
	default:
		v = "(devel)"
	}
	rev, at := commit, commitTime
	modified := commitModified == "true"
	if commit == "" && ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if rev == "" {
		return v
	}
	v += " commit " + rev[:min(len(rev), 7)]
	if at != "" {
		v += " " + at
	}
	if modified {
		v += ", modified"
	}
	return v
}

// flagUsage prints a command's flags, each with its environment variable
// and default.
func flagUsage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprintf(w, "Usage: decoy %s [flags]\n\nFlags:\n", fs.Name())
	fs.VisitAll(func(f *flag.Flag) {
		name, help := flag.UnquoteUsage(f)
		if name != "" {
			name = " " + name
		}
		fmt.Fprintf(w, "  --%s%s\n      %s\n      env DECOY_%s", f.Name, name, help, strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_")))
		if f.DefValue != "" {
			fmt.Fprintf(w, ", default %s", f.DefValue)
		}
		fmt.Fprintln(w)
	})
}
