#!/usr/bin/env bash
# Installs the Debian packages the lab needs (namespaces, bridge, services, traffic tools, capture,
# enforcement). Idempotent: only what is missing is installed. Usage: sudo deploy/lab/install.sh
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "install.sh: run as root (apt-get)" >&2; exit 1; }
# command -> Debian package
pkgs=""
for pair in ip:iproute2 bridge:iproute2 tc:iproute2 nft:nftables hping3:hping3 nmap:nmap tcpdump:tcpdump \
            nc:netcat-openbsd socat:socat curl:curl dig:dnsutils dnsmasq:dnsmasq-base iperf3:iperf3 \
            openssl:openssl python3:python3 setpriv:util-linux timeout:coreutils; do
  cmd="${pair%%:*}" pkg="${pair##*:}"
  command -v "$cmd" >/dev/null 2>&1 || pkgs="$pkgs $pkg"
done
if [ -z "$pkgs" ]; then echo "lab tools: all installed"; exit 0; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $(echo $pkgs | tr ' ' '\n' | sort -u)
echo "lab tools installed:$pkgs"
