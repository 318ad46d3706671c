#!/usr/bin/env bash
# Builds a pinned kustomize from the Go module proxy into .deploy-run/bin, so the unit tests
# can render every overlay with the real tool (no binary download, no Docker).
# v5.7.1 is pinned: v5.8.x needs a Go newer than the 1.26 toolchain here.
# Usage: bash deploy/k8s/install-kustomize.sh   (idempotent; skips when the pinned version is there)
set -euo pipefail
KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-v5.7.1}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="$ROOT/.deploy-run/bin"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"

if [ -x "$BIN/kustomize" ] && "$BIN/kustomize" version 2>/dev/null | grep -q "${KUSTOMIZE_VERSION}"; then
  echo "kustomize ${KUSTOMIZE_VERSION} already at $BIN/kustomize"
  exit 0
fi
if [ ! -x "$GO" ]; then
  echo "install-kustomize: no Go toolchain (looked for 'go' on PATH and /usr/local/go/bin/go)" >&2
  exit 1
fi
mkdir -p "$BIN"
# The module cache and build cache stay under .deploy-run so CI and dev runs reuse them.
export GOPATH="${GOPATH:-$ROOT/.deploy-run/go}"
export GOCACHE="${GOCACHE:-$ROOT/.deploy-run/go-build-cache}"
export GOFLAGS="${GOFLAGS:--modcacherw}"
GOBIN="$BIN" "$GO" install "sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}"
"$BIN/kustomize" version
