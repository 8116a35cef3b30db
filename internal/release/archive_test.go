package release

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
	"time"
)

var at = time.Date(2026, 12, 4, 16, 0, 1, 500, time.UTC)

var files = []entry{
	{"decoy", []byte("binary"), 0o755},
	{"README.md", []byte("readme"), 0o644},
	{"LICENSE", []byte("license"), 0o644},
}

func TestTarGzIsDeterministic(t *testing.T) {
	a, err := tarGz(files, at)
	if err != nil {
		t.Fatal(err)
	}
	// The same files given in another order, at another moment.
	rev := []entry{files[2], files[0], files[1]}
	b, err := tarGz(rev, at)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("the same files packed twice differ")
	}
	if a[4] != 0 || a[5] != 0 || a[6] != 0 || a[7] != 0 {
		t.Errorf("the gzip header holds a time: % x", a[4:8])
	}
	zr, err := gzip.NewReader(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	if zr.Name != "" || !zr.ModTime.IsZero() {
		t.Errorf("gzip header name %q, time %v", zr.Name, zr.ModTime)
	}
	tr := tar.NewReader(zr)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" {
			t.Errorf("%s: owner %d:%d %q:%q, want 0:0 with no names", h.Name, h.Uid, h.Gid, h.Uname, h.Gname)
		}
		if !h.ModTime.Equal(at.Truncate(time.Second)) {
			t.Errorf("%s: time %v, want %v", h.Name, h.ModTime, at.Truncate(time.Second))
		}
		if h.Name == "decoy" && h.Mode != 0o755 {
			t.Errorf("decoy: mode %o, want 755", h.Mode)
		}
	}
	if got := strings.Join(names, " "); got != "LICENSE README.md decoy" {
		t.Errorf("order %s, want sorted by name", got)
	}
}

func TestZipIsDeterministic(t *testing.T) {
	a, err := zipArchive(files, at)
	if err != nil {
		t.Fatal(err)
	}
	b, err := zipArchive([]entry{files[1], files[2], files[0]}, at.Add(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("the same files packed twice differ")
	}
	zr, err := zip.NewReader(bytes.NewReader(a), int64(len(a)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if want := time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC); !f.Modified.UTC().Equal(want) {
			t.Errorf("%s: time %v, want %v", f.Name, f.Modified.UTC(), want)
		}
		if f.Name == "decoy" && f.Mode().Perm() != 0o755 {
			t.Errorf("decoy: mode %v", f.Mode())
		}
	}
	if got := strings.Join(names, " "); got != "LICENSE README.md decoy" {
		t.Errorf("order %s, want sorted by name", got)
	}
}

func TestParseTargets(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: "linux/amd64", want: "linux/amd64"},
		{in: "linux/amd64, windows/arm64", want: "linux/amd64 windows/arm64"},
		{in: "linux/386", err: `target "linux/386" is not one a release builds (known: linux/amd64, linux/arm64, darwin/amd64, darwin/arm64, windows/amd64, windows/arm64)`},
		{in: "linux/amd64,linux/amd64", err: `target "linux/amd64" is given twice`},
		{in: " , ", err: "no targets"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseTargets(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, g := range got {
				names = append(names, g.String())
			}
			if s := strings.Join(names, " "); s != tc.want {
				t.Errorf("got %s, want %s", s, tc.want)
			}
		})
	}
}

func TestNPMNames(t *testing.T) {
	want := map[string]string{
		"linux/amd64": "@decoy-mock/cli-linux-x64", "linux/arm64": "@decoy-mock/cli-linux-arm64",
		"darwin/amd64": "@decoy-mock/cli-darwin-x64", "darwin/arm64": "@decoy-mock/cli-darwin-arm64",
		"windows/amd64": "@decoy-mock/cli-win32-x64", "windows/arm64": "@decoy-mock/cli-win32-arm64",
	}
	for _, tg := range Targets {
		if got := tg.NPMPackage(); got != want[tg.String()] {
			t.Errorf("%s: %s, want %s (the launcher asks for @decoy-mock/cli-${process.platform}-${process.arch})", tg, got, want[tg.String()])
		}
	}
}

func TestCheckVersion(t *testing.T) {
	for in, want := range map[string]string{"v1.2.3": "v1.2.3", "1.2.3": "v1.2.3", "v1.2.3-rc.1": "v1.2.3-rc.1", "v1.2": "", "latest": "", "v01.2.3": "", "v1.2.3 ": ""} {
		got, err := CheckVersion(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("CheckVersion(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestMarshalPackageOrderAndEscapes(t *testing.T) {
	got := string(marshalPackage(map[string]any{"zeta": 1, "version": "1.0.0", "name": "x", "engines": map[string]any{"node": ">=16"}}))
	want := "{\n  \"name\": \"x\",\n  \"version\": \"1.0.0\",\n  \"engines\": {\n    \"node\": \">=16\"\n  },\n  \"zeta\": 1\n}\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
