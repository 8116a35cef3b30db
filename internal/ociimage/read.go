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
	"strings"
)

// Layout is an image read back from an OCI layout tar file, every blob
// checked against its digest and size.
type Layout struct {
	// RefName is the index's org.opencontainers.image.ref.name annotation.
	RefName string
	// Platform is "os/architecture" from the index.
	Platform string
	// Config is the image configuration.
	Config ConfigFile
	// Files are the layer's entries in order, by path (no leading slash;
	// folders end in "/").
	Files []File
}

// File is one entry of the image's layer.
type File struct {
	Name       string
	Mode       int64
	UID, GID   int
	Data       []byte // regular files only
	IsDir      bool
	ModTimeUTC string
}

// Lookup returns the layer entry named name (no leading slash), or nil.
func (l *Layout) Lookup(name string) *File {
	for i := range l.Files {
		if l.Files[i].Name == name {
			return &l.Files[i]
		}
	}
	return nil
}

// Read reads an OCI layout tar file holding one image. It returns an error
// naming the file or blob for a missing oci-layout, an index with other
// than one manifest, a blob whose digest or size is not what refers to it,
// a media type other than the OCI ones Write uses, or a layer whose diff
// ID is not the one the config names.
func Read(r io.Reader) (*Layout, error) {
	files := map[string][]byte{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading the tar file: %w", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", h.Name, err)
		}
		files[strings.TrimPrefix(h.Name, "./")] = data
	}
	var layoutFile struct {
		ImageLayoutVersion string `json:"imageLayoutVersion"`
	}
	if err := json.Unmarshal(files["oci-layout"], &layoutFile); err != nil || layoutFile.ImageLayoutVersion != "1.0.0" {
		return nil, fmt.Errorf("oci-layout: missing or not {\"imageLayoutVersion\":\"1.0.0\"} (%q)", files["oci-layout"])
	}
	var idx index
	if err := json.Unmarshal(files["index.json"], &idx); err != nil {
		return nil, fmt.Errorf("index.json: %v", err)
	}
	if idx.SchemaVersion != 2 || len(idx.Manifests) != 1 {
		return nil, fmt.Errorf("index.json: schemaVersion %d with %d manifests, want 2 with one", idx.SchemaVersion, len(idx.Manifests))
	}
	blobOf := func(where string, d descriptor, mediaType string) ([]byte, error) {
		if d.MediaType != mediaType {
			return nil, fmt.Errorf("%s: media type %q, want %q", where, d.MediaType, mediaType)
		}
		hexDigest, ok := strings.CutPrefix(d.Digest, "sha256:")
		if !ok {
			return nil, fmt.Errorf("%s: digest %q is not sha256", where, d.Digest)
		}
		data, ok := files["blobs/sha256/"+hexDigest]
		if !ok {
			return nil, fmt.Errorf("%s: blob %s is missing", where, d.Digest)
		}
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != hexDigest {
			return nil, fmt.Errorf("%s: blob %s holds data whose digest is sha256:%s", where, d.Digest, got)
		}
		if int64(len(data)) != d.Size {
			return nil, fmt.Errorf("%s: blob %s is %d bytes, the descriptor says %d", where, d.Digest, len(data), d.Size)
		}
		return data, nil
	}
	md := idx.Manifests[0]
	if md.Platform == nil {
		return nil, errors.New("index.json: the manifest has no platform")
	}
	out := &Layout{RefName: md.Annotations["org.opencontainers.image.ref.name"], Platform: md.Platform.OS + "/" + md.Platform.Architecture}
	mdata, err := blobOf("index.json", md, MediaTypeManifest)
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(mdata, &m); err != nil {
		return nil, fmt.Errorf("manifest %s: %v", md.Digest, err)
	}
	if m.SchemaVersion != 2 || m.MediaType != MediaTypeManifest || len(m.Layers) != 1 {
		return nil, fmt.Errorf("manifest %s: schemaVersion %d, media type %q, %d layers; want 2, %q, one", md.Digest, m.SchemaVersion, m.MediaType, len(m.Layers), MediaTypeManifest)
	}
	cdata, err := blobOf("manifest config", m.Config, MediaTypeConfig)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(cdata, &out.Config); err != nil {
		return nil, fmt.Errorf("config %s: %v", m.Config.Digest, err)
	}
	if out.Platform != out.Config.OS+"/"+out.Config.Architecture {
		return nil, fmt.Errorf("index.json says %s, the config %s/%s", out.Platform, out.Config.OS, out.Config.Architecture)
	}
	ldata, err := blobOf("manifest layer", m.Layers[0], MediaTypeLayer)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(ldata))
	if err != nil {
		return nil, fmt.Errorf("layer %s: %v", m.Layers[0].Digest, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("layer %s: %v", m.Layers[0].Digest, err)
	}
	sum := sha256.Sum256(raw)
	if diffID := "sha256:" + hex.EncodeToString(sum[:]); len(out.Config.RootFS.DiffIDs) != 1 || out.Config.RootFS.DiffIDs[0] != diffID {
		return nil, fmt.Errorf("config rootfs.diff_ids %v, the layer's is %s", out.Config.RootFS.DiffIDs, diffID)
	}
	lr := tar.NewReader(bytes.NewReader(raw))
	for {
		h, err := lr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("layer %s: %v", m.Layers[0].Digest, err)
		}
		f := File{Name: h.Name, Mode: h.Mode, UID: h.Uid, GID: h.Gid, IsDir: h.Typeflag == tar.TypeDir, ModTimeUTC: h.ModTime.UTC().Format("2006-01-02T15:04:05Z")}
		if h.Typeflag == tar.TypeReg {
			if f.Data, err = io.ReadAll(lr); err != nil {
				return nil, fmt.Errorf("layer %s: %s: %v", m.Layers[0].Digest, h.Name, err)
			}
		}
		out.Files = append(out.Files, f)
	}
	return out, nil
}
