#!/bin/sh
# Writes deploy/cluster-example/: what `roomkey-gateway init --cluster 3` makes for /srv/roomkey
# (cluster.json and one nats-server.conf per node), with the deployment's own JWTs and keys
# replaced by placeholders. The example shows the layout; a real deployment runs init itself,
# so no key of any real deployment is ever committed. Run from anywhere: sh deploy/make-cluster-example.sh
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
out="$repo/deploy/cluster-example"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
node="$repo/node_modules/.bin/node"
"$node" "$repo/gateway/cli.ts" init --data "$tmp/roomkey" --cluster 3 > "$tmp/init.txt"
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
scrub "$tmp/roomkey/cluster.json" > "$out/cluster.json"
for n in n1 n2 n3; do scrub "$tmp/roomkey/nodes/$n/nats-server.conf" > "$out/$n.nats-server.conf"; done
scrub "$tmp/init.txt" > "$out/init-output.txt"
if grep -rq 'eyJ\|SU[A-Z2-7]\{50\}' "$out"; then echo "a JWT or seed is left in $out" >&2; exit 1; fi
echo "wrote $out"
