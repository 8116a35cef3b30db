package release

import (
	"fmt"
	"strings"
)

// Target is one platform a binary is built for.
type Target struct{ OS, Arch string }

// Targets are the platforms a release ships, in the order it builds them.
var Targets = []Target{
	{"linux", "amd64"}, {"linux", "arm64"},
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"windows", "amd64"}, {"windows", "arm64"},
}

func (t Target) String() string { return t.OS + "/" + t.Arch }

// Exe is the binary's file name on the target.
func (t Target) Exe() string {
	if t.OS == "windows" {
		return "decoy.exe"
	}
	return "decoy"
}

// NPM is the target as Node.js names it (process.platform and
// process.arch): the os and cpu fields of its npm package.
func (t Target) NPM() (os, cpu string) {
	os, cpu = t.OS, t.Arch
	if os == "windows" {
		os = "win32"
	}
	if cpu == "amd64" {
		cpu = "x64"
	}
	return os, cpu
}

// NPMPackage is the name of the npm package that holds the target's
// binary: @decoy-mock/cli-linux-x64, the name the launcher asks for on
// that platform.
func (t Target) NPMPackage() string {
	os, cpu := t.NPM()
	return NPMScope + "/cli-" + os + "-" + cpu
}

// NPMScope is the npm scope of Decoy's packages.
const NPMScope = "@decoy-mock"

// ParseTargets reads a list such as "linux/amd64,darwin/arm64". It returns
// an error naming a target that is not one of Targets, or a repeated one.
func ParseTargets(s string) ([]Target, error) {
	var out []Target
	seen := map[Target]bool{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		os, arch, _ := strings.Cut(f, "/")
		t := Target{os, arch}
		known := false
		for _, k := range Targets {
			known = known || k == t
		}
		if !known {
			return nil, fmt.Errorf("target %q is not one a release builds (known: %s)", f, targetList())
		}
		if seen[t] {
			return nil, fmt.Errorf("target %q is given twice", f)
		}
		seen[t] = true
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no targets in %q (known: %s)", s, targetList())
	}
	return out, nil
}

func targetList() string {
	var names []string
	for _, t := range Targets {
		names = append(names, t.String())
	}
	return strings.Join(names, ", ")
}
