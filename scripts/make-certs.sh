#!/usr/bin/env bash
# Local certificate authority and per-service certificates for gRPC over (mutual) TLS.
#
#   scripts/make-certs.sh [out-dir]            (default .data/certs)
#
# Writes:
#   <out>/ca.crt, ca.key                       the local CA (kept if present)
#   <out>/<service>/server.crt, server.key     SAN: <service>, localhost, 127.0.0.1, ::1
#   <out>/<service>/client.crt, client.key     CN=<service>, for mutual TLS
# for each service in $CERT_SERVICES (default: the compose services
# registry admin carrier-cmcc carrier-cucc carrier-ctcc). Existing files are kept;
# delete a service's folder to reissue its certificates, or ca.key to start over.
#
# A service then runs with, e.g.:
#   GRPC_TLS_CA=<out>/ca.crt GRPC_TLS_CERT=<out>/registry/server.crt GRPC_TLS_KEY=<out>/registry/server.key
#   GRPC_TLS_CLIENT_CERT=<out>/registry/client.crt GRPC_TLS_CLIENT_KEY=<out>/registry/client.key
# For development only: production certificates come from the operator's PKI.
set -euo pipefail

command -v openssl >/dev/null || { echo "make-certs: openssl is required" >&2; exit 1; }

out="${1:-.data/certs}"
services="${CERT_SERVICES:-registry admin carrier-cmcc carrier-cucc carrier-ctcc}"
days_ca=3650
days_leaf=825

for service in $services; do
  [[ "$service" =~ ^[a-z0-9][a-z0-9-]*$ ]] || {
    echo "make-certs: bad service name '$service' (lower-case DNS label)" >&2
    exit 1
  }
done

umask 077
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# quiet <command...>: runs it, showing its output only when it fails.
quiet() { "$@" 2>"$tmp/log" || { cat "$tmp/log" >&2; exit 1; }; }
new_key() { quiet openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

ca_created=0
if [[ ! -s "$out/ca.key" || ! -s "$out/ca.crt" ]]; then
  ca_created=1
  new_key "$out/ca.key"
  openssl req -x509 -new -key "$out/ca.key" -sha256 -days "$days_ca" \
    -subj "/O=fraud-numbers dev/CN=fraud-numbers local CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$out/ca.crt"
  echo "make-certs: created CA $out/ca.crt" >&2
fi

# issue <dir> <name> <cn> <extensions>
issue() {
  local dir="$1" name="$2" cn="$3" ext="$4"
  # Kept unless the CA is new (old leaves would not verify against it).
  [[ "$ca_created" == 0 && -s "$dir/$name.crt" && -s "$dir/$name.key" ]] && return 0
  new_key "$dir/$name.key"
  openssl req -new -key "$dir/$name.key" -subj "/O=fraud-numbers dev/CN=$cn" -out "$tmp/$name.csr"
  printf '%s\n' "$ext" >"$tmp/$name.ext"
  quiet openssl x509 -req -in "$tmp/$name.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" \
    -sha256 -days "$days_leaf" -extfile "$tmp/$name.ext" -out "$dir/$name.crt"
  echo "make-certs: issued $dir/$name.crt" >&2
}

for service in $services; do
  dir="$out/$service"
  mkdir -p "$dir"
  issue "$dir" server "$service" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:$service,DNS:localhost,IP:127.0.0.1,IP:::1"
  issue "$dir" client "$service" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectAltName=DNS:$service"
done

# Certificates are public; keys stay owner-only (umask 077).
chmod 644 "$out/ca.crt" "$out"/*/*.crt
chmod 755 "$out" "$out"/*/
echo "make-certs: certificates in $out" >&2
