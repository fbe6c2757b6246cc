#!/usr/bin/env bash
# Runs the curl session of README.md, as written, against a real server:
# the README is a test, so it cannot drift from what the server does.
set -euo pipefail
lethe="$1"
readme="$(dirname "$0")/../README.md"
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
"$lethe" serve --listen 127.0.0.1:0 --data "$work/data" > "$work/out" 2> "$work/err" &
pid=$!
for _ in $(seq 100); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.1; done
addr=$(sed -n 's/^lethe: listening on //p' "$work/out")
[ -n "$addr" ] || { cat "$work/err"; exit 1; }
# Every ```sh block but the first (make run / make test), with the port swapped in.
python3 - "$readme" > "$work/session.sh" <<'PY'
import re, sys
blocks = re.findall(r"```sh\n(.*?)```", open(sys.argv[1]).read(), re.S)
print("set -euo pipefail\n" + "\n".join(blocks[1:]))
PY
sed -i "s#^API=http://127.0.0.1:8080#API=http://$addr#" "$work/session.sh"
grep -q "API=http://$addr" "$work/session.sh"
cd "$work"
bash "$work/session.sh" > "$work/session.out"
# What the session must have produced.
cmp clip.mp4 copy.mp4
[ "$(stat -c %s head.bin)" = 1024 ]
grep -q '"duration=5' <(tr '\n' '"' < "$work/session.out")
grep -q '"action":"key.create"' "$work/session.out"
grep -q '^keys-destroyed$' "$work/session.out"
grep -q '^completed$' "$work/session.out"
[ "$(head -c 2 export.zip)" = PK ]
grep -q '^whsec_' "$work/session.out"
grep -q '^204$' "$work/session.out"
grep -q '"pending":0' "$work/session.out"
echo "README session: ok"
