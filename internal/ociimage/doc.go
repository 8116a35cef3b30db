// Package ociimage writes Decoy's container image: one static decoy binary
// on an empty base, as an OCI image layout packed in a tar file (the
// "oci-archive" that podman load, skopeo and crane read), with no Docker
// daemon and no registry. The same binary, version and time give the same
// bytes, so a release can be rebuilt and compared.
package ociimage
