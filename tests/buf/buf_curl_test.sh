#!/usr/bin/env bash
# The README's walkthrough, run for real: `buf curl` lists the services through
# reflection and calls the settings service as a visitor, denied and elevated.
# Usage: buf_curl_test.sh SERVER_BINARY BACKINSTOCKCTL BUF KEYS_FILE
set -euo pipefail
server=$1 ctl=$2 buf=$3 keys=$4
work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$server" --listen=127.0.0.1:0 --keys_file="$keys" --audit_log=/dev/null \
  >"$work/stdout" 2>"$work/stderr" &
pid=$!
# Wait for the readiness line (the server prints it once it is serving).
for _ in $(seq 1 3000); do
  grep -q '^backinstock-server listening on ' "$work/stdout" && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/stderr"; echo "server exited"; exit 1; }
  sleep 0.01
done
address=$(sed -n 's/^backinstock-server listening on //p' "$work/stdout")
[ -n "$address" ] || { echo "no readiness line"; exit 1; }
url="http://$address"
curl_grpc() { "$buf" curl --protocol grpc --http2-prior-knowledge "$@"; }
app='{"appId": "215238eb-22a5-4c36-9e7b-e7c08025e04e"}'
settings=backinstock.v1.BackInStockSettingsService

methods=$(curl_grpc "$url" --list-methods)
for m in $settings/GetSettings $settings/StartCollectingRequests $settings/WatchSettings \
         backinstock.v1.BackInStockNotificationRequestService/QueryBackInStockNotificationRequests \
         grpc.health.v1.Health/Check; do
  grep -qx "$m" <<<"$methods" || { echo "reflection does not list $m"; echo "$methods"; exit 1; }
done

token=$("$ctl" token identity --keys_file="$keys" --site=buf-site --role=visitor)
out=$(curl_grpc -H "authorization: Bearer $token" "$url/$settings/GetSettings")
grep -q '"appId": "215238eb-22a5-4c36-9e7b-e7c08025e04e"' <<<"$out" || { echo "$out"; exit 1; }

if out=$(curl_grpc -H "authorization: Bearer $token" -d "$app" "$url/$settings/StartCollectingRequests" 2>&1); then
  echo "a visitor could start collecting: $out"; exit 1
fi
grep -q '"code": "permission_denied"' <<<"$out" || { echo "$out"; exit 1; }
grep -q 'google.rpc.ErrorInfo' <<<"$out" || { echo "$out"; exit 1; }

elevation=$("$ctl" token elevation --keys_file="$keys" --site=buf-site --perms=SETTINGS_MODIFY)
out=$(curl_grpc -H "authorization: Bearer $token" -H "x-elevation-token: $elevation" -d "$app" \
  "$url/$settings/StartCollectingRequests")
grep -q '"collectingRequests": true' <<<"$out" || { echo "$out"; exit 1; }
grep -q '"revision": "1"' <<<"$out" || { echo "$out"; exit 1; }
echo "buf curl walkthrough: ok"
