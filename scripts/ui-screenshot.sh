#!/usr/bin/env bash
# docs/ui.png: `zmart ui` over the example fleet, in a real terminal (xterm) under Xvfb.
# Needs Debian's xvfb, xterm, x11-apps (xwd) and imagemagick, and `npm run build`.
# Starts the example fleet if none runs and stops it again; signals only what it started.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
zmart=("$(command -v node)" "$root/dist/bin/zmart.cjs")
config="$root/examples/zmart.config.ts"
display=":${UI_DISPLAY:-73}"
out="${1:-$root/docs/ui.png}"

started_fleet=0
if ! "${zmart[@]}" status --config "$config" >/dev/null 2>&1; then
  "${zmart[@]}" start --config "$config" >/dev/null
  started_fleet=1
fi
Xvfb "$display" -screen 0 1100x520x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
xterm_pid=
cleanup() {
  [[ -n $xterm_pid ]] && kill "$xterm_pid" 2>/dev/null || true
  kill "$xvfb" 2>/dev/null || true
  if ((started_fleet)); then "${zmart[@]}" stop --config "$config" >/dev/null || true; fi
}
trap cleanup EXIT
for _ in $(seq 50); do [[ -e /tmp/.X11-unix/X${display#:} ]] && break; sleep 0.1; done

DISPLAY=$display xterm -geometry 120x26+0+0 -fa 'Monospace' -fs 11 -bg '#1e1e1e' -fg '#d4d4d4' \
  -e "${zmart[@]}" ui --config "$config" &
xterm_pid=$!
sleep "${UI_WAIT:-4}" # the ui refreshes each second: a few rounds, and the log followed
xwd -root -display "$display" -silent | convert xwd:- -trim +repage "$out" # the root around the window is black, the terminal not
echo "wrote $out"
