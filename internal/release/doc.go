// Package release builds Decoy's release files from a checkout: static
// binaries for linux, darwin and windows on amd64 and arm64, stamped with
// the version and commit; .tar.gz and .zip archives whose every byte is
// fixed by the commit; the npm packages (@decoy-mock/cli and one package
// per platform holding its binary, as esbuild and Biome ship theirs); the
// container images as OCI layout tar files; and SHA256SUMS. scripts/release
// is its command line.
package release
