#!/usr/bin/env bash
# `npm run kube:build`: builds kube-apiserver and etcd from the Go modules in this folder
# into a cache outside the repository, keyed by version. Does nothing when they are there,
# or when envtest-style binaries are supplied (TEST_ASSET_KUBE_APISERVER + TEST_ASSET_ETCD,
# or KUBEBUILDER_ASSETS). Prints the directory that holds the binaries on its last line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"

if [ -n "${TEST_ASSET_KUBE_APISERVER:-}" ] && [ -n "${TEST_ASSET_ETCD:-}" ]; then
  echo "kube:build: using TEST_ASSET_KUBE_APISERVER and TEST_ASSET_ETCD"; exit 0
fi
if [ -n "${KUBEBUILDER_ASSETS:-}" ] && [ -x "$KUBEBUILDER_ASSETS/kube-apiserver" ] && [ -x "$KUBEBUILDER_ASSETS/etcd" ]; then
  echo "kube:build: using KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS"; exit 0
fi

cache_root=${GBP_NETPOL_KUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gbp-netpol/kube}
apiserver_dir="$cache_root/kubernetes-$KUBERNETES_VERSION"
etcd_dir="$cache_root/etcd-$ETCD_VERSION"
mkdir -p "$apiserver_dir" "$etcd_dir"

build() { # build <module dir> <package> <output> [ldflags]
  local dir=$1 pkg=$2 out=$3 ldflags=${4:-}
  if [ -x "$out" ]; then echo "kube:build: cached $out"; return; fi
  echo "kube:build: building $pkg (this takes several minutes on a cold cache)"
  local start=$SECONDS
  (cd "$dir" && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -ldflags "-s -w $ldflags" -o "$out.tmp.$$" "$pkg")
  mv "$out.tmp.$$" "$out"
  echo "kube:build: built $out in $((SECONDS - start))s"
}

minor=${KUBERNETES_VERSION#v1.}; minor=${minor%%.*}
# component-base/version is what /version reports; without these it says v0.0.0-master.
vpkg=k8s.io/component-base/version
build "$here/apiserver" k8s.io/kubernetes/cmd/kube-apiserver "$apiserver_dir/kube-apiserver" \
  "-X $vpkg.gitVersion=$KUBERNETES_VERSION -X $vpkg.gitMajor=1 -X $vpkg.gitMinor=$minor -X $vpkg.gitTreeState=clean -X $vpkg.buildDate=1970-01-01T00:00:00Z"
build "$here/etcd" go.etcd.io/etcd/server/v3 "$etcd_dir/etcd"
echo "kube:build: binaries in $apiserver_dir and $etcd_dir"
