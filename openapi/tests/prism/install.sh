#!/usr/bin/env bash
# Installs Prism (@stoplight/prism-cli, pinned in package-lock.json) into
# openapi/tests/prism/node_modules unless it is there already. Needs npm (and
# so node) only; nothing is installed globally. `openapi/tests/prism.rs`
# runs this itself, so `cargo test --workspace` needs no step before it.
set -euo pipefail
cd "$(dirname "$0")"
if [ -x node_modules/.bin/prism ] && node_modules/.bin/prism --version >/dev/null 2>&1; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "install.sh: npm is needed to install Prism (on Debian: apt-get install npm)" >&2
    exit 1
fi
npm ci --no-audit --no-fund --loglevel=error
node_modules/.bin/prism --version >/dev/null
