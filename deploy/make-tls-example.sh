#!/bin/sh
# Writes deploy/tls-example/: what `roomkey-gateway init --nodes … --tls-names …` makes for
# /srv/roomkey (tls.json and one nats-server.conf per node, with TLS 1.3 blocks and a pid_file),
# JWTs and account keys replaced by placeholders, and no certificate or key (init's placeholder
# stays in the temp dir). Run from anywhere: sh deploy/make-tls-example.sh
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
out="$repo/deploy/tls-example"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
node="$repo/node_modules/.bin/node"
"$node" "$repo/gateway/cli.ts" init --data "$tmp/roomkey" --nodes a=10.0.0.1,b=10.0.0.2,c=10.0.0.3 \
  --tls-names a.chat.example.org,b.chat.example.org,c.chat.example.org --acme-email ops@example.org > "$tmp/init.txt"
keys=$("$node" -e '
  const p = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log([["OPERATOR", p.operator.publicKey], ["SYS_ACCOUNT", p.sysAccount.publicKey],
    ["GATEWAY_ACCOUNT", p.gatewayAccount.publicKey], ["APP_ACCOUNT", p.appAccount.publicKey]]
    .map(([n, k]) => `s/${k}/<${n}_PUBLIC_KEY>/g`).join(";"));' "$tmp/roomkey/roomkey.json")
rm -rf "$out"
mkdir -p "$out"
scrub() {
  sed -e "s#$tmp/roomkey#/srv/roomkey#g" -e "$keys" \
      -e 's#"eyJ[A-Za-z0-9_.-]*"#"<JWT made by init: see /srv/roomkey/roomkey.json>"#g' "$1"
}
scrub "$tmp/roomkey/tls.json" > "$out/tls.json"
for n in a b c; do scrub "$tmp/roomkey/nodes/$n/nats-server.conf" > "$out/$n.nats-server.conf"; done
scrub "$tmp/init.txt" > "$out/init-output.txt"
"$repo/node_modules/.bin/biome" format --write "$out/tls.json" >/dev/null  # the repository's JSON style
if grep -rq 'eyJ\|SU[A-Z2-7]\{50\}\|PRIVATE KEY' "$out"; then echo "a JWT, seed or key is left in $out" >&2; exit 1; fi
echo "wrote $out"
