package ociimage

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"
)

var testImage = Image{
	Binary:   []byte("\x7fELF not really a binary"),
	Arch:     "arm64",
	Version:  "v1.2.3",
	Revision: "0123456789abcdef0123456789abcdef01234567",
	Created:  time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC),
}

func write(t *testing.T, img Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestImageConfig(t *testing.T) {
	l, err := Read(bytes.NewReader(write(t, testImage)))
	if err != nil {
		t.Fatal(err)
	}
	if l.RefName != "decoy:v1.2.3" || l.Platform != "linux/arm64" {
		t.Errorf("ref name %q, platform %q", l.RefName, l.Platform)
	}
	c := l.Config
	if c.Created != "2026-12-04T16:00:00Z" {
		t.Errorf("created %q", c.Created)
	}
	want := RunConfig{
		User:         "65532:65532",
		ExposedPorts: map[string]struct{}{"4010/tcp": {}},
		Env:          []string{"PATH=/usr/local/bin", "DECOY_HOST=0.0.0.0"},
		Entrypoint:   []string{"/usr/local/bin/decoy"},
		Cmd:          []string{"serve", "--host", "0.0.0.0", "--port", "4010"},
		WorkingDir:   "/work",
		Labels: map[string]string{
			"org.opencontainers.image.title":    "decoy",
			"org.opencontainers.image.version":  "v1.2.3",
			"org.opencontainers.image.revision": testImage.Revision,
			"org.opencontainers.image.source":   "https://github.com/decoy-mock/decoy",
			"org.opencontainers.image.licenses": "Apache-2.0",
		},
	}
	if !reflect.DeepEqual(c.Config, want) {
		t.Errorf("config\n got %+v\nwant %+v", c.Config, want)
	}
}

func TestImageFiles(t *testing.T) {
	l, err := Read(bytes.NewReader(write(t, testImage)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range l.Files {
		names = append(names, f.Name)
		if f.ModTimeUTC != "2026-12-04T16:00:00Z" {
			t.Errorf("%s: mtime %s, want the image's creation time", f.Name, f.ModTimeUTC)
		}
	}
	want := "etc/ etc/group etc/passwd home/ home/nonroot/ tmp/ usr/ usr/local/ usr/local/bin/ usr/local/bin/decoy work/"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("files %s\nwant %s", got, want)
	}
	bin := l.Lookup("usr/local/bin/decoy")
	if !bytes.Equal(bin.Data, testImage.Binary) || bin.Mode != 0o755 || bin.UID != 0 {
		t.Errorf("the binary: %d bytes, mode %o, owner %d", len(bin.Data), bin.Mode, bin.UID)
	}
	if p := string(l.Lookup("etc/passwd").Data); !strings.Contains(p, "\nnonroot:x:65532:65532:") {
		t.Errorf("/etc/passwd has no nonroot user 65532: %q", p)
	}
	if w := l.Lookup("work/"); w.UID != 65532 || w.GID != 65532 {
		t.Errorf("/work belongs to %d:%d, want the nonroot user", w.UID, w.GID)
	}
	if tmp := l.Lookup("tmp/"); tmp.Mode != 0o1777 {
		t.Errorf("/tmp mode %o, want 1777", tmp.Mode)
	}
}

func TestImageIsReproducible(t *testing.T) {
	a, b := write(t, testImage), write(t, testImage)
	if !bytes.Equal(a, b) {
		t.Fatal("the same image written twice differs")
	}
	other := testImage
	other.Created = other.Created.Add(time.Second)
	if bytes.Equal(a, write(t, other)) {
		t.Fatal("a different creation time gave the same bytes")
	}
}

func TestWriteRefusesWhatIsNotAnImage(t *testing.T) {
	for name, mutate := range map[string]func(*Image){
		"no binary":  func(i *Image) { i.Binary = nil },
		"arch 386":   func(i *Image) { i.Arch = "386" },
		"no version": func(i *Image) { i.Version = "" },
	} {
		t.Run(name, func(t *testing.T) {
			img := testImage
			mutate(&img)
			if err := Write(new(bytes.Buffer), img); err == nil {
				t.Error("no error")
			}
		})
	}
}

// TestReadChecksDigests: Read is what CI trusts to say the image is whole,
// so a blob changed after the fact must fail it.
func TestReadChecksDigests(t *testing.T) {
	data := write(t, testImage)
	// The config is JSON inside the tar, stored as is: change one byte of
	// its user.
	i := bytes.Index(data, []byte(`"User":"65532:65532"`))
	if i < 0 {
		t.Fatal("no config in the tar")
	}
	bad := bytes.Clone(data)
	bad[i+len(`"User":"`)] = '0'
	if _, err := Read(bytes.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "digest") {
		t.Errorf("a changed config: %v, want a digest error", err)
	}
}

// FuzzRead: a damaged or hostile tar file is an error, never a panic.
func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	if err := Write(&buf, testImage); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte{})
	f.Add(buf.Bytes()[:1024])
	f.Fuzz(func(t *testing.T, data []byte) {
		Read(bytes.NewReader(data))
	})
}
