package release

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/decoy-mock/decoy/internal/ociimage"
)

// Stamp is what a release binary says about itself in `decoy version`.
type Stamp struct {
	// Version is the release version, v1.2.3 (semantic versioning, with a
	// v; npm packages get it without).
	Version string
	// Commit is the full hash of the commit built.
	Commit string
	// Time is the commit's time: the time of every file in the archives
	// and image, so that a rebuild gives the same bytes.
	Time time.Time
	// Modified is set when the work tree had uncommitted changes.
	Modified bool
}

var versionPattern = regexp.MustCompile(`^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$`)

// CheckVersion returns version with a leading v (1.2.3 becomes v1.2.3), or
// an error for anything else than a semantic version.
func CheckVersion(version string) (string, error) {
	v := version
	if !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	if !versionPattern.MatchString(v) {
		return "", fmt.Errorf("version %q is not a semantic version such as v1.2.3 or v1.2.3-rc.1", version)
	}
	return v, nil
}

// ReadStamp asks git, in the checkout at root, for the commit and its time
// and whether the tree has uncommitted changes. It returns an error when
// root is not a git checkout or git is missing.
func ReadStamp(ctx context.Context, root, version string) (Stamp, error) {
	v, err := CheckVersion(version)
	if err != nil {
		return Stamp{}, err
	}
	git := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir = root
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("git %s in %s: %v: %s", strings.Join(args, " "), root, err, strings.TrimSpace(stderr.String()))
		}
		return strings.TrimSpace(string(out)), nil
	}
	line, err := git("log", "-1", "--format=%H %ct")
	if err != nil {
		return Stamp{}, err
	}
	hash, secs, _ := strings.Cut(line, " ")
	unix, err := strconv.ParseInt(secs, 10, 64)
	if err != nil || len(hash) < 40 {
		return Stamp{}, fmt.Errorf("git log in %s: unexpected %q", root, line)
	}
	status, err := git("status", "--porcelain", "--untracked-files=normal")
	if err != nil {
		return Stamp{}, err
	}
	return Stamp{Version: v, Commit: hash, Time: time.Unix(unix, 0).UTC(), Modified: status != ""}, nil
}

// Options say what Build builds.
type Options struct {
	// Root is the checkout: the module's root folder.
	Root string
	// OutDir receives the release files; it is created, and must be empty
	// or missing.
	OutDir string
	// Stamp is the version and commit stamped into the binaries.
	Stamp Stamp
	// Targets are the platforms built; nil means all of Targets.
	Targets []Target
	// Log receives a line per step; nil means none.
	Log io.Writer
}

// Result lists what Build wrote, as paths relative to OutDir.
type Result struct {
	// Archives are the binaries' archives, one per target.
	Archives []string
	// Images are the container images (OCI layout tar files), one per
	// linux target.
	Images []string
	// NPM are the npm package folders: the platform packages, then
	// npm/cli.
	NPM []string
	// Sums is SHA256SUMS, over the archives and images.
	Sums string
}

// LDFlags are the linker flags of a release build: no symbol table or
// DWARF (smaller, and no paths), and the stamp.
func LDFlags(s Stamp) string {
	flags := fmt.Sprintf("-s -w -X main.version=%s -X main.commit=%s -X main.commitTime=%s", s.Version, s.Commit, s.Time.UTC().Format(time.RFC3339))
	if s.Modified {
		flags += " -X main.commitModified=true"
	}
	return flags
}

// BuildBinary builds cmd/decoy for t into file: static (CGO_ENABLED=0),
// with no file system paths (-trimpath) and no VCS stamp of Go's own
// (-buildvcs=false; the stamp goes in with LDFlags), so that the same
// commit and toolchain give the same bytes.
func BuildBinary(ctx context.Context, root string, t Target, s Stamp, file string, log io.Writer) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false", "-ldflags", LDFlags(s), "-o", file, "./cmd/decoy")
	cmd.Dir = root
	// GOFLAGS from the caller's environment could add flags that change the
	// binary (-race, -tags); a release ignores them.
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+t.OS, "GOARCH="+t.Arch, "GOFLAGS=-mod=readonly", "GOAMD64=v1", "GOARM64=v8.0")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build for %s: %v\n%s", t, err, out.String())
	}
	if log != nil && out.Len() > 0 {
		log.Write(out.Bytes())
	}
	return nil
}

// ArchiveName is the archive of t's binary: decoy_v1.2.3_linux_amd64.tar.gz,
// .zip for windows.
func ArchiveName(version string, t Target) string {
	ext := ".tar.gz"
	if t.OS == "windows" {
		ext = ".zip"
	}
	return fmt.Sprintf("decoy_%s_%s_%s%s", version, t.OS, t.Arch, ext)
}

// ImageName is the container image of a linux target:
// decoy_v1.2.3_linux_amd64.oci.tar.
func ImageName(version string, t Target) string {
	return fmt.Sprintf("decoy_%s_%s_%s.oci.tar", version, t.OS, t.Arch)
}

// Build builds the release into opts.OutDir. It returns an error naming
// the step that failed: a target that does not build, a file it cannot
// write, an npm template it cannot read.
func Build(ctx context.Context, opts Options) (*Result, error) {
	targets := opts.Targets
	if targets == nil {
		targets = Targets
	}
	if _, err := CheckVersion(opts.Stamp.Version); err != nil {
		return nil, err
	}
	if entries, err := os.ReadDir(opts.OutDir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%s is not empty: a release is written into an empty folder, so that nothing old is shipped with it", opts.OutDir)
	}
	logf := func(format string, args ...any) {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, format+"\n", args...)
		}
	}
	license, err := os.ReadFile(filepath.Join(opts.Root, "LICENSE"))
	if err != nil {
		return nil, err
	}
	readme, err := os.ReadFile(filepath.Join(opts.Root, "README.md"))
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "decoy-release-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	res := &Result{}
	write := func(rel string, data []byte, mode os.FileMode) error {
		path := filepath.Join(opts.OutDir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, data, mode); err != nil {
			return err
		}
		return os.Chmod(path, mode) // the umask does not decide what ships
	}
	at := opts.Stamp.Time
	npmVersion := strings.TrimPrefix(opts.Stamp.Version, "v")
	for _, t := range targets {
		logf("build %s", t)
		bin := filepath.Join(tmp, t.OS+"_"+t.Arch, t.Exe())
		if err := BuildBinary(ctx, opts.Root, t, opts.Stamp, bin, opts.Log); err != nil {
			return nil, err
		}
		exe, err := os.ReadFile(bin)
		if err != nil {
			return nil, err
		}
		files := []entry{{t.Exe(), exe, 0o755}, {"LICENSE", license, 0o644}, {"README.md", readme, 0o644}}
		var archive []byte
		if t.OS == "windows" {
			archive, err = zipArchive(files, at)
		} else {
			archive, err = tarGz(files, at)
		}
		if err != nil {
			return nil, fmt.Errorf("archive for %s: %w", t, err)
		}
		name := ArchiveName(opts.Stamp.Version, t)
		if err := write(name, archive, 0o644); err != nil {
			return nil, err
		}
		res.Archives = append(res.Archives, name)
		if t.OS == "linux" {
			var img bytes.Buffer
			if err := ociimage.Write(&img, ociimage.Image{Binary: exe, Arch: t.Arch, Version: opts.Stamp.Version, Revision: opts.Stamp.Commit, Created: at}); err != nil {
				return nil, fmt.Errorf("image for %s: %w", t, err)
			}
			name := ImageName(opts.Stamp.Version, t)
			if err := write(name, img.Bytes(), 0o644); err != nil {
				return nil, err
			}
			res.Images = append(res.Images, name)
		}
		dir, err := writePlatformPackage(opts.Root, t, npmVersion, exe, license, write)
		if err != nil {
			return nil, err
		}
		res.NPM = append(res.NPM, dir)
	}
	dir, err := writeCLIPackage(opts.Root, targets, npmVersion, license, write)
	if err != nil {
		return nil, err
	}
	res.NPM = append(res.NPM, dir)
	sums, err := checksums(opts.OutDir, append(append([]string(nil), res.Archives...), res.Images...))
	if err != nil {
		return nil, err
	}
	if err := write("SHA256SUMS", sums, 0o644); err != nil {
		return nil, err
	}
	res.Sums = "SHA256SUMS"
	logf("wrote %s", opts.OutDir)
	return res, nil
}

// checksums is SHA256SUMS as sha256sum writes it ("HASH  NAME", sorted by
// name), so that sha256sum -c checks it.
func checksums(dir string, names []string) ([]byte, error) {
	names = append([]string(nil), names...)
	sort.Strings(names)
	var buf bytes.Buffer
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(data)
		fmt.Fprintf(&buf, "%s  %s\n", hex.EncodeToString(sum[:]), n)
	}
	return buf.Bytes(), nil
}

type writeFunc func(rel string, data []byte, mode os.FileMode) error

// writePlatformPackage writes npm/cli-OS-CPU: the template of
// npm/platform with the target's name, os, cpu and version, and its binary
// in bin/.
func writePlatformPackage(root string, t Target, version string, exe, license []byte, write writeFunc) (string, error) {
	nodeOS, cpu := t.NPM()
	dir := "npm/cli-" + nodeOS + "-" + cpu
	replace := strings.NewReplacer("OS-CPU", nodeOS+"-"+cpu, "OS CPU", nodeOS+" "+cpu, "OS on CPU", nodeOS+" on "+cpu)
	pkg, err := readTemplate(root, "npm/platform/package.json")
	if err != nil {
		return "", err
	}
	pkg["name"] = t.NPMPackage()
	pkg["version"] = version
	pkg["description"] = replace.Replace(pkg["description"].(string))
	pkg["os"] = []string{nodeOS}
	pkg["cpu"] = []string{cpu}
	readme, err := readFile(root, "npm/platform/README.md")
	if err != nil {
		return "", err
	}
	return dir, writeAll(write, dir, map[string][]byte{
		"package.json": marshalPackage(pkg),
		"README.md":    []byte(replace.Replace(string(readme))),
		"LICENSE":      license,
	}, "bin/"+t.Exe(), exe)
}

// writeCLIPackage writes npm/cli: the launcher, and the template's
// package.json with the version and one optional dependency per target.
func writeCLIPackage(root string, targets []Target, version string, license []byte, write writeFunc) (string, error) {
	pkg, err := readTemplate(root, "npm/cli/package.json")
	if err != nil {
		return "", err
	}
	pkg["version"] = version
	deps := map[string]string{}
	for _, t := range targets {
		deps[t.NPMPackage()] = version
	}
	pkg["optionalDependencies"] = deps
	launcher, err := readFile(root, "npm/cli/bin/decoy.js")
	if err != nil {
		return "", err
	}
	readme, err := readFile(root, "npm/cli/README.md")
	if err != nil {
		return "", err
	}
	return "npm/cli", writeAll(write, "npm/cli", map[string][]byte{
		"package.json": marshalPackage(pkg),
		"README.md":    readme,
		"LICENSE":      license,
	}, "bin/decoy.js", launcher)
}

// writeAll writes files (mode 0644) and one executable into dir.
func writeAll(write writeFunc, dir string, files map[string][]byte, exeName string, exe []byte) error {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := write(dir+"/"+n, files[n], 0o644); err != nil {
			return err
		}
	}
	return write(dir+"/"+exeName, exe, 0o755)
}

func readFile(root, rel string) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		return nil, fmt.Errorf("npm template: %w", err)
	}
	return data, nil
}

func readTemplate(root, rel string) (map[string]any, error) {
	data, err := readFile(root, rel)
	if err != nil {
		return nil, err
	}
	var pkg map[string]any
	if err := json.Unmarshal(data, &pkg); err != nil {
		return nil, fmt.Errorf("%s: %w", rel, err)
	}
	if _, ok := pkg["description"].(string); !ok {
		return nil, fmt.Errorf("%s: no description", rel)
	}
	return pkg, nil
}

// marshalPackage writes a package.json with its keys in the order npm
// itself writes the common ones, then the rest sorted, so that the file
// reads as people expect and is the same on every build.
func marshalPackage(pkg map[string]any) []byte {
	order := []string{"name", "version", "description", "keywords", "homepage", "repository", "license", "os", "cpu", "bin", "files", "engines", "preferUnplugged", "optionalDependencies"}
	rank := map[string]int{}
	for i, k := range order {
		rank[k] = i + 1
	}
	keys := make([]string, 0, len(pkg))
	for k := range pkg {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := rank[keys[i]], rank[keys[j]]
		if ri == 0 {
			ri = len(order) + 1
		}
		if rj == 0 {
			rj = len(order) + 1
		}
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	var buf bytes.Buffer
	buf.WriteString("{\n")
	for i, k := range keys {
		fmt.Fprintf(&buf, "  %s: %s", plainJSON(k, ""), plainJSON(pkg[k], "  "))
		if i < len(keys)-1 {
			buf.WriteString(",")
		}
		buf.WriteString("\n")
	}
	buf.WriteString("}\n")
	return buf.Bytes()
}

// plainJSON is v as JSON without HTML escapes (">=16", not "\u003e=16"),
// as npm writes package.json.
func plainJSON(v any, indent string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(indent, "  ")
	if err := enc.Encode(v); err != nil {
		panic(err) // values come from JSON and strings
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// ErrDirty is returned by callers that refuse to release a work tree with
// uncommitted changes.
var ErrDirty = errors.New("the work tree has uncommitted changes: a release is built from a commit (--allow-dirty builds anyway, stamped \"modified\")")
