#!/usr/bin/env bash
# Makes sure a Docker engine answers: if none does and this is root with `dockerd` installed
# (CI machines have no init system to start it), starts one in the background and waits for it.
# Exit 0 when an engine answers, 1 with the reason on stderr when none can be had.
set -euo pipefail

if docker info >/dev/null 2>&1; then exit 0; fi
if ! command -v dockerd >/dev/null; then
  echo "no Docker engine answers and dockerd is not installed (apt-get install docker.io)" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "no Docker engine answers, and only root can start dockerd here" >&2
  exit 1
fi

pid=$(cat /var/run/docker.pid 2>/dev/null || true)
if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ]; then
  echo "a dockerd runs (pid $pid) but does not answer at ${DOCKER_HOST:-the default socket}" >&2
  exit 1
fi

log=/var/log/burnlink-dockerd.log
nohup dockerd --storage-driver=overlay2 >>"$log" 2>&1 </dev/null &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then exit 0; fi
  if ! kill -0 $! 2>/dev/null; then break; fi
  sleep 1
done
echo "dockerd did not come up; the last lines of $log:" >&2
tail -n 20 "$log" >&2
exit 1
