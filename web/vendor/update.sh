#!/usr/bin/env bash
# Re-vendors the web UI's front-end packages: fetches each pinned release with `npm pack` (which
# checks the tarball against the registry's integrity hash), copies its released files under
# web/vendor/NAME/ with the licence, and records VERSION and SHA256SUMS. The copies are committed,
# so a fresh clone serves the UI offline with no npm step. To upgrade: change a version below, run
# this script, check the UI (node --test tests/browser/), commit.
set -euo pipefail
cd "$(dirname "$0")"

MAPLIBRE_GL_VERSION=6.17.0

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# vendor NAME VERSION FILE... — FILE is a path inside the package, copied flat into NAME/.
vendor() {
  local name=$1 version=$2
  shift 2
  local tarball
  tarball="$(cd "$tmp" && npm pack --silent "$name@$version" | tail -n 1)"
  mkdir -p "$tmp/$name"
  tar -xzf "$tmp/$tarball" -C "$tmp/$name"
  local got
  got="$(node -p "require('$tmp/$name/package/package.json').version")"
  [ "$got" = "$version" ] || { echo "$name: asked for $version, got $got" >&2; exit 1; }
  rm -rf "$name"
  mkdir -p "$name"
  local f
  for f in "$@"; do cp "$tmp/$name/package/$f" "$name/"; done
  echo "$version" >"$name/VERSION"
  (cd "$name" && sha256sum -- $(ls | grep -v -x -e VERSION -e SHA256SUMS) >SHA256SUMS)
  echo "vendored $name $version: $(ls "$name" | tr '\n' ' ')"
}

# MapLibre GL JS ships ES modules only since 6.0: the map module loads its worker module from the
# same directory.
vendor maplibre-gl "$MAPLIBRE_GL_VERSION" \
  dist/maplibre-gl.mjs dist/maplibre-gl-worker.mjs dist/maplibre-gl.css LICENSE.txt
