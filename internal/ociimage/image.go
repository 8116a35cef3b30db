package ociimage

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Media types of the OCI image specification, v1.
const (
	MediaTypeIndex    = "application/vnd.oci.image.index.v1+json"
	MediaTypeManifest = "application/vnd.oci.image.manifest.v1+json"
	MediaTypeConfig   = "application/vnd.oci.image.config.v1+json"
	MediaTypeLayer    = "application/vnd.oci.image.layer.v1.tar+gzip"
)

// The image's fixed facts, which the Dockerfile at the repository's root
// repeats (a test holds the two together).
const (
	// BinaryPath is where the decoy binary lies in the image; it is the
	// entrypoint.
	BinaryPath = "/usr/local/bin/decoy"
	// User is the non-root user and group the image runs as ("nonroot",
	// as distroless images name it).
	User = "65532:65532"
	// WorkDir is the working folder: a project mounted there is served by
	// a bare "decoy serve", which looks for openapi.yaml in the current
	// folder.
	WorkDir = "/work"
	// Port is the port Decoy listens on in the container (Prism's, and
	// Decoy's default).
	Port = 4010
)

// Cmd is the image's default arguments: serve on every interface of the
// container, since a port published from a container never reaches a
// process listening on its loopback. DECOY_HOST=0.0.0.0 in the image's
// environment does the same for any other arguments a user gives.
var Cmd = []string{"serve", "--host", "0.0.0.0", "--port", fmt.Sprint(Port)}

// Env is the image's environment.
var Env = []string{"PATH=/usr/local/bin", "DECOY_HOST=0.0.0.0"}

// Image is what goes into one image.
type Image struct {
	// Binary is the decoy executable, statically linked for linux/Arch.
	Binary []byte
	// Arch is the GOARCH the binary was built for: amd64 or arm64.
	Arch string
	// Version is the release version (v1.2.3); it names the image in the
	// layout (org.opencontainers.image.ref.name, see RefName) and labels it.
	Version string
	// Revision is the commit the binary was built from; "" leaves the
	// label out.
	Revision string
	// Created is the image's creation time, and the time of every file in
	// it: the commit time, so that rebuilding gives the same bytes.
	Created time.Time
}

// RefName is the name an image of version is loaded as (podman load
// names it localhost/decoy:v1.2.3).
func RefName(version string) string { return "decoy:" + version }

// blob is one content-addressed file of the layout.
type blob struct {
	digest string // sha256:hex
	data   []byte
}

func newBlob(data []byte) blob {
	sum := sha256.Sum256(data)
	return blob{"sha256:" + hex.EncodeToString(sum[:]), data}
}

type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Platform    *platform         `json:"platform,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

type platform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
}

// ConfigFile is the image configuration (the part of the OCI image
// config this package writes and its tests read).
type ConfigFile struct {
	Created      string       `json:"created"`
	Architecture string       `json:"architecture"`
	OS           string       `json:"os"`
	Config       RunConfig    `json:"config"`
	RootFS       RootFS       `json:"rootfs"`
	History      []historyRow `json:"history"`
}

// RunConfig is what a container runtime starts the image with.
type RunConfig struct {
	User         string              `json:"User"`
	ExposedPorts map[string]struct{} `json:"ExposedPorts"`
	Env          []string            `json:"Env"`
	Entrypoint   []string            `json:"Entrypoint"`
	Cmd          []string            `json:"Cmd"`
	WorkingDir   string              `json:"WorkingDir"`
	Labels       map[string]string   `json:"Labels,omitempty"`
}

// RootFS lists the uncompressed layers' digests.
type RootFS struct {
	Type    string   `json:"type"`
	DiffIDs []string `json:"diff_ids"`
}

type historyRow struct {
	Created   string `json:"created"`
	CreatedBy string `json:"created_by"`
}

type manifest struct {
	SchemaVersion int          `json:"schemaVersion"`
	MediaType     string       `json:"mediaType"`
	Config        descriptor   `json:"config"`
	Layers        []descriptor `json:"layers"`
}

type index struct {
	SchemaVersion int          `json:"schemaVersion"`
	MediaType     string       `json:"mediaType"`
	Manifests     []descriptor `json:"manifests"`
}

// Write writes img to w as an OCI image layout in a tar file. It returns
// an error for an empty binary, an architecture other than amd64 or arm64,
// a missing version, or a failed write.
func Write(w io.Writer, img Image) error {
	if len(img.Binary) == 0 {
		return errors.New("ociimage: no binary")
	}
	if img.Arch != "amd64" && img.Arch != "arm64" {
		return fmt.Errorf("ociimage: architecture %q (known: amd64, arm64)", img.Arch)
	}
	if img.Version == "" {
		return errors.New("ociimage: no version")
	}
	created := img.Created.UTC().Truncate(time.Second)
	layerTar, err := rootFS(img.Binary, created)
	if err != nil {
		return err
	}
	layer, err := gzipped(layerTar)
	if err != nil {
		return err
	}
	labels := map[string]string{
		"org.opencontainers.image.title":    "decoy",
		"org.opencontainers.image.version":  img.Version,
		"org.opencontainers.image.source":   "https://github.com/decoy-mock/decoy",
		"org.opencontainers.image.licenses": "Apache-2.0",
	}
	if img.Revision != "" {
		labels["org.opencontainers.image.revision"] = img.Revision
	}
	at := created.Format(time.RFC3339)
	cfg := ConfigFile{
		Created: at, Architecture: img.Arch, OS: "linux",
		Config: RunConfig{
			User:         User,
			ExposedPorts: map[string]struct{}{fmt.Sprintf("%d/tcp", Port): {}},
			Env:          Env,
			Entrypoint:   []string{BinaryPath},
			Cmd:          Cmd,
			WorkingDir:   WorkDir,
			Labels:       labels,
		},
		RootFS:  RootFS{Type: "layers", DiffIDs: []string{newBlob(layerTar).digest}},
		History: []historyRow{{Created: at, CreatedBy: "scripts/release: the static decoy binary on an empty base"}},
	}
	config, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	cb, lb := newBlob(config), newBlob(layer)
	mb := newBlob(mustJSON(manifest{
		SchemaVersion: 2, MediaType: MediaTypeManifest,
		Config: descriptor{MediaType: MediaTypeConfig, Digest: cb.digest, Size: int64(len(cb.data))},
		Layers: []descriptor{{MediaType: MediaTypeLayer, Digest: lb.digest, Size: int64(len(lb.data))}},
	}))
	idx := mustJSON(index{SchemaVersion: 2, MediaType: MediaTypeIndex, Manifests: []descriptor{{
		MediaType: MediaTypeManifest, Digest: mb.digest, Size: int64(len(mb.data)),
		Platform:    &platform{Architecture: img.Arch, OS: "linux"},
		Annotations: map[string]string{"org.opencontainers.image.ref.name": RefName(img.Version)},
	}}})
	tw := tar.NewWriter(w)
	add := func(name string, data []byte) error {
		return writeFile(tw, name, data, 0o644, 0, created)
	}
	if err := add("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)); err != nil {
		return err
	}
	if err := add("index.json", idx); err != nil {
		return err
	}
	for _, dir := range []string{"blobs/", "blobs/sha256/"} {
		if err := writeDir(tw, dir, 0o755, 0, created); err != nil {
			return err
		}
	}
	for _, b := range sortedBlobs(cb, lb, mb) {
		if err := add("blobs/sha256/"+b.digest[len("sha256:"):], b.data); err != nil {
			return err
		}
	}
	return tw.Close()
}

// sortedBlobs orders blobs by digest, so that the tar file's order does
// not depend on the code's.
func sortedBlobs(bs ...blob) []blob {
	slices.SortFunc(bs, func(a, b blob) int { return strings.Compare(a.digest, b.digest) })
	return bs
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only fixed struct types are marshalled
	}
	return b
}

// rootFS is the image's one layer, uncompressed: the binary, the nonroot
// user, and the folders a process may need (a writable /tmp, the working
// folder and home owned by the user).
func rootFS(binary []byte, at time.Time) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	const nonroot = 65532
	steps := []func() error{
		func() error { return writeDir(tw, "etc/", 0o755, 0, at) },
		func() error {
			return writeFile(tw, "etc/group", []byte("root:x:0:\nnonroot:x:65532:\n"), 0o644, 0, at)
		},
		func() error {
			return writeFile(tw, "etc/passwd", []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"), 0o644, 0, at)
		},
		func() error { return writeDir(tw, "home/", 0o755, 0, at) },
		func() error { return writeDir(tw, "home/nonroot/", 0o700, nonroot, at) },
		func() error { return writeDir(tw, "tmp/", 0o1777, 0, at) },
		func() error { return writeDir(tw, "usr/", 0o755, 0, at) },
		func() error { return writeDir(tw, "usr/local/", 0o755, 0, at) },
		func() error { return writeDir(tw, "usr/local/bin/", 0o755, 0, at) },
		func() error { return writeFile(tw, BinaryPath[1:], binary, 0o755, 0, at) },
		func() error { return writeDir(tw, WorkDir[1:]+"/", 0o755, nonroot, at) },
		tw.Close,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

func writeDir(tw *tar.Writer, name string, mode int64, owner int, at time.Time) error {
	return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: mode, Uid: owner, Gid: owner, ModTime: at})
}

func writeFile(tw *tar.Writer, name string, data []byte, mode int64, owner int, at time.Time) error {
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Size: int64(len(data)), Mode: mode, Uid: owner, Gid: owner, ModTime: at}); err != nil {
		return err
	}
	_, err := tw.Write(data)
	return err
}

// gzipped compresses data with no name and no time in the gzip header, so
// that the same data always gives the same bytes.
func gzipped(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
