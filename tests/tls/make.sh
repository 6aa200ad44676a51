#!/usr/bin/env bash
# Remakes the test certificates of this folder (see README.md): a throwaway
# CA whose key is deleted, and a leaf for localhost and 127.0.0.1 that it
# signed, both valid from 2000 to 2100.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/db" && touch "$work/db/index.txt" && echo 01 >"$work/db/serial"
cat >"$work/ca.cnf" <<CNF
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = $work/db
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
default_md = sha256
policy = anything
copy_extensions = none
unique_subject = no
[ anything ]
commonName = supplied
[ ca_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign
subjectKeyIdentifier = hash
[ leaf_ext ]
subjectAltName = DNS:localhost,IP:127.0.0.1
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
CNF
dates=(-startdate 20000101000000Z -enddate 21000101000000Z)
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/ca.key"
openssl req -new -key "$work/ca.key" -subj "/CN=restrait test CA" -out "$work/ca.csr"
openssl ca -batch -notext -config "$work/ca.cnf" -selfsign -keyfile "$work/ca.key" \
    -in "$work/ca.csr" -out ca.pem "${dates[@]}" -extensions ca_ext
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out localhost.key
openssl req -new -key localhost.key -subj "/CN=localhost" -out "$work/leaf.csr"
openssl ca -batch -notext -config "$work/ca.cnf" -cert ca.pem -keyfile "$work/ca.key" \
    -in "$work/leaf.csr" -out localhost.pem "${dates[@]}" -extensions leaf_ext
