#!/usr/bin/env bash
# `npm run kube:build`: builds the Kubernetes test binaries from the Go modules in this folder
# into a cache outside the repository, keyed by version:
#   kube-apiserver, etcd                      the apiserver-only test clusters
#   kubelet, kube-scheduler,
#   kube-controller-manager, kube-router      the node harness (test/harness/node-cluster.ts)
# A binary that is already there is not built again. kube-apiserver and etcd are skipped when
# envtest-style binaries are supplied (TEST_ASSET_KUBE_APISERVER + TEST_ASSET_ETCD, or
# KUBEBUILDER_ASSETS). Each build's duration is printed and appended to build-times.log in the
# cache. Prints the directories that hold the binaries on its last line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"

cache_root=${GBP_NETPOL_KUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gbp-netpol/kube}
kube_dir="$cache_root/kubernetes-$KUBERNETES_VERSION"
etcd_dir="$cache_root/etcd-$ETCD_VERSION"
kube_router_dir="$cache_root/kube-router-$KUBE_ROUTER_VERSION"
mkdir -p "$kube_dir" "$etcd_dir" "$kube_router_dir"

build() { # build <module dir> <package> <output> [ldflags]
  local dir=$1 pkg=$2 out=$3 ldflags=${4:-}
  if [ -x "$out" ]; then echo "kube:build: cached $out"; return; fi
  echo "kube:build: building $pkg (this takes several minutes on a cold cache)"
  local start=$SECONDS
  (cd "$dir" && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -ldflags "-s -w $ldflags" -o "$out.tmp.$$" "$pkg")
  mv "$out.tmp.$$" "$out"
  echo "kube:build: built $out in $((SECONDS - start))s"
  echo "$(date -u +%FT%TZ) $((SECONDS - start))s $out" >> "$cache_root/build-times.log"
}

minor=${KUBERNETES_VERSION#v1.}; minor=${minor%%.*}
# component-base/version is what /version reports; without these it says v0.0.0-master.
vpkg=k8s.io/component-base/version
kube_ldflags="-X $vpkg.gitVersion=$KUBERNETES_VERSION -X $vpkg.gitMajor=1 -X $vpkg.gitMinor=$minor -X $vpkg.gitTreeState=clean -X $vpkg.buildDate=1970-01-01T00:00:00Z"

supplied=
if [ -n "${TEST_ASSET_KUBE_APISERVER:-}" ] && [ -n "${TEST_ASSET_ETCD:-}" ]; then
  supplied="TEST_ASSET_KUBE_APISERVER and TEST_ASSET_ETCD"
elif [ -n "${KUBEBUILDER_ASSETS:-}" ] && [ -x "$KUBEBUILDER_ASSETS/kube-apiserver" ] && [ -x "$KUBEBUILDER_ASSETS/etcd" ]; then
  supplied="KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS"
fi
if [ -n "$supplied" ]; then
  echo "kube:build: kube-apiserver and etcd from $supplied"
else
  build "$here/apiserver" k8s.io/kubernetes/cmd/kube-apiserver "$kube_dir/kube-apiserver" "$kube_ldflags"
  build "$here/etcd" go.etcd.io/etcd/server/v3 "$etcd_dir/etcd"
fi
# The node binaries come from the same module as kube-apiserver, so after it they mostly reuse
# the Go build cache.
for cmd in kube-controller-manager kube-scheduler kubelet; do
  build "$here/apiserver" "k8s.io/kubernetes/cmd/$cmd" "$kube_dir/$cmd" "$kube_ldflags"
done
# Tests only, never shipped (see versions.env).
build "$here/kube-router" github.com/cloudnativelabs/kube-router/v2/cmd/kube-router \
  "$kube_router_dir/kube-router" "-X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$KUBE_ROUTER_VERSION"
echo "kube:build: binaries in $kube_dir $etcd_dir $kube_router_dir"
