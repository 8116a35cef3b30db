#!/usr/bin/env bash
# Step 1 of the Decoy GitHub Action (action.yml): install a pinned release.
# Downloads the archive for this runner from the release, checks it against
# the release's SHA256SUMS, unpacks it, and puts decoy on the PATH of the
# steps after this one.
#
# Environment:
#   DECOY_VERSION      the release, v1.2.3; empty: the action's own ref when
#                      it is a release tag (uses: decoy-mock/decoy@v1.2.3)
#   DECOY_ACTION_REF   the action's ref (github.action_ref)
#   DECOY_RELEASE_URL  where releases are, each in a folder named for its
#                      version (default: the project's GitHub releases;
#                      tests use a file:// folder)
#   RUNNER_TEMP, GITHUB_PATH, GITHUB_ENV   as GitHub Actions sets them
set -euo pipefail

fail() { echo "::error title=decoy install::$*" >&2; exit 1; }

version="${DECOY_VERSION:-}"
if [ -z "$version" ]; then
  case "${DECOY_ACTION_REF:-}" in
    v[0-9]*.*.*) version="$DECOY_ACTION_REF" ;;
  esac
fi
[ -n "$version" ] || fail "no version to install: use the action at a release tag (decoy-mock/decoy@v1.2.3) or give it 'version: v1.2.3' (the action's ref is '${DECOY_ACTION_REF:-}')"
case "$version" in
  v[0-9]*.*.*) ;;
  [0-9]*.*.*) version="v$version" ;;
  *) fail "version '$version' is not a release version such as v1.2.3" ;;
esac

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  MINGW* | MSYS* | CYGWIN*) os=windows ;;
  *) fail "no Decoy release for the runner's system $(uname -s)" ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) fail "no Decoy release for the runner's processor $(uname -m)" ;;
esac
ext=tar.gz
exe=decoy
if [ "$os" = windows ]; then ext=zip; exe=decoy.exe; fi
archive="decoy_${version}_${os}_${arch}.${ext}"
base="${DECOY_RELEASE_URL:-https://github.com/decoy-mock/decoy/releases/download}/${version}"

dest="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/decoy-${version}"
download="$(mktemp -d)"
trap 'rm -rf "$download"' EXIT
for f in "$archive" SHA256SUMS; do
  curl -fsSL --retry 3 -o "$download/$f" "$base/$f" || fail "could not download $base/$f"
done
want="$(awk -v f="$archive" '$2 == f { print $1 }' "$download/SHA256SUMS")"
[ -n "$want" ] || fail "$base/SHA256SUMS has no line for $archive"
if command -v sha256sum >/dev/null 2>&1; then
  got="$(sha256sum "$download/$archive" | awk '{ print $1 }')"
else
  got="$(shasum -a 256 "$download/$archive" | awk '{ print $1 }')"
fi
[ "$got" = "$want" ] || fail "$archive has SHA-256 $got, but SHA256SUMS says $want: not installing it"

rm -rf "$dest"
mkdir -p "$dest"
if [ "$ext" = zip ]; then
  unzip -q -o "$download/$archive" -d "$dest"
else
  tar -xzf "$download/$archive" -C "$dest"
fi
[ -x "$dest/$exe" ] || fail "$archive holds no $exe"
"$dest/$exe" version
if [ -n "${GITHUB_PATH:-}" ]; then echo "$dest" >>"$GITHUB_PATH"; fi
if [ -n "${GITHUB_ENV:-}" ]; then echo "DECOY_BIN=$dest/$exe" >>"$GITHUB_ENV"; fi
