#!/usr/bin/env bash
# The Prescient lab: network namespaces as VMs on a Linux bridge, in a world that never leaves this
# machine. Usage:
#   lab.sh up                         namespaces, bridge, services (HTTP, DNS, bulk and exfil sinks); writes $PL_STATE/inventory.csv
#   lab.sh down                       stops every lab process and removes everything named pl-* (always safe to run)
#   lab.sh status                     namespaces, addresses, and the containment checks
#   lab.sh benign SECONDS             starts the benign clients (bounded loops) in the background
#   lab.sh attack KIND VM SECONDS [TARGET...]   runs one attack in the foreground: syn_flood | port_scan | exfiltration | c2_beacon
#                                     | dns_tunnel_known_peer | exfil_known_peer | c2_beacon_known_peer | flood_known_peer
#   lab.sh capture-start FILE | capture-stop    tcpdump of the bridge (inside pl-sw) to a pcap file
#   lab.sh exec VM CMD...             runs a command inside a VM
# Containment: namespaces only; no address on the host side, no default route in any lab namespace,
# no NAT, no forwarding to a host interface; nothing is created in the host's namespace except the
# namespaces themselves. Every traffic loop is bounded in count and time.
set -euo pipefail
LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$LAB_DIR/lab-vms.sh"
PL_STATE="${PL_STATE:-/tmp/prescient-lab}"
SW=pl-sw
BR=br0
PY=/usr/bin/python3
[ -x "$PY" ] || PY="$(command -v python3)"

die() { echo "lab: $*" >&2; exit 1; }
ns() { echo "pl-$1"; }
in_ns() { local n="$1"; shift; ip netns exec "$n" "$@"; }
need() { local t; for t in "$@"; do command -v "$t" >/dev/null 2>&1 || die "'$t' is not installed (run deploy/lab/install.sh)"; done; }

# Starts a background process inside a namespace, recorded so `down` can stop it.
spawn_in() {
  local vm="$1" tag="$2"; shift 2
  mkdir -p "$PL_STATE/logs" "$PL_STATE/pids"
  ip netns exec "$(ns "$vm")" "$@" >"$PL_STATE/logs/$vm-$tag.log" 2>&1 &
  echo $! >"$PL_STATE/pids/$vm-$tag.pid"
}

check_containment() {
  local n bad=0
  for n in $(ip netns list | awk '{print $1}' | grep '^pl-' || true); do
    if [ -n "$(ip -n "$n" route show default 2>/dev/null)" ] || [ -n "$(ip -n "$n" -6 route show default 2>/dev/null)" ]; then
      echo "CONTAINMENT VIOLATION: $n has a default route" >&2; bad=1
    fi
    if ip -n "$n" -4 addr show 2>/dev/null | grep -w inet | grep -v ' 127\.' | grep -vq " ${LAB_SUBNET_PREFIX}\."; then
      echo "CONTAINMENT VIOLATION: $n has an address outside $LAB_SUBNET" >&2; bad=1
    fi
    if [ "$(ip netns exec "$n" cat /proc/sys/net/ipv4/ip_forward)" != "0" ]; then
      echo "CONTAINMENT VIOLATION: $n forwards IP" >&2; bad=1
    fi
  done
  return $bad
}

write_inventory() {
  local vm f="$PL_STATE/inventory.csv"
  echo "kind,value,vmId,accountId,vnetId" >"$f"
  for vm in $(vm_names); do
    echo "mac,$(vm_mac "$vm"),lab-$vm,$LAB_ACCOUNT,$LAB_VNET" >>"$f"
    echo "ip,$(vm_ip "$vm"),lab-$vm,$LAB_ACCOUNT,$LAB_VNET" >>"$f"
  done
}

cmd_up() {
  need ip
  [ "$(id -u)" = 0 ] || die "needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN) to create network namespaces"
  cmd_down >/dev/null 2>&1 || true
  mkdir -p "$PL_STATE/logs" "$PL_STATE/pids" "$PL_STATE/www"
  # If anything below fails (or we are interrupted), leave nothing behind.
  UP_OK=0
  trap '[ "$UP_OK" = 1 ] || cmd_down >/dev/null 2>&1' EXIT
  trap 'exit 130' INT TERM HUP
  ip netns add "$SW"
  in_ns "$SW" sysctl -qw net.ipv4.ip_forward=0
  ip -n "$SW" link set lo up
  ip -n "$SW" link add "$BR" type bridge
  ip -n "$SW" link set "$BR" up
  local vm n
  for vm in $(vm_names); do
    n="$(ns "$vm")"
    ip netns add "$n"
    # The veth is made inside pl-sw and its peer moved straight into the VM: never in the host.
    ip -n "$SW" link add "v-$vm" type veth peer name eth0 netns "$n"
    ip -n "$SW" link set "v-$vm" master "$BR" up
    ip -n "$n" link set eth0 address "$(vm_mac "$vm")"
    ip -n "$n" addr add "$(vm_ip "$vm")/24" dev eth0
    ip -n "$n" link set lo up
    ip -n "$n" link set eth0 up
    in_ns "$n" sysctl -qw net.ipv4.ip_forward=0
  done
  write_inventory
  start_services
  check_containment || die "containment check failed"
  wait_ready
  UP_OK=1
  echo "lab up: $(vm_names | wc -l) VMs on $LAB_SUBNET, switch $SW/$BR, inventory $PL_STATE/inventory.csv"
}

start_services() {
  need dnsmasq socat
  local i
  for i in $(seq 1 20); do head -c $((2000 + i * 700)) /dev/zero | tr '\0' 'a' >"$PL_STATE/www/page$i.html"; done
  echo ok >"$PL_STATE/www/beacon"
  spawn_in web http "$PY" -m http.server 8080 --bind "$(vm_ip web)" --directory "$PL_STATE/www"
  spawn_in drop http "$PY" -m http.server 8080 --bind "$(vm_ip drop)" --directory "$PL_STATE/www"
  local host_records=""
  for vm in $(vm_names); do host_records="$host_records --host-record=$vm.lab,$(vm_ip "$vm")"; done
  # shellcheck disable=SC2086
  spawn_in dns dnsmasq dnsmasq --keep-in-foreground --no-resolv --no-hosts --no-daemon --bind-interfaces \
    --listen-address="$(vm_ip dns)" --port=53 --address=/example.lab/"$(vm_ip web)" $host_records --pid-file="$PL_STATE/pids/dnsmasq.real" --user=root
  spawn_in store sink socat -u TCP-LISTEN:9000,reuseaddr,fork OPEN:/dev/null,wronly
  spawn_in drop sink socat -u TCP-LISTEN:9001,reuseaddr,fork OPEN:/dev/null,wronly
}

wait_ready() {
  local i
  for i in $(seq 1 50); do
    if in_ns "$(ns c1)" curl -s -m 1 -o /dev/null "http://$(vm_ip web):8080/page1.html" && \
       in_ns "$(ns c1)" dig +short +time=1 +tries=1 "@$(vm_ip dns)" web.lab >/dev/null; then return 0; fi
    sleep 0.2
  done
  die "services did not come up (see $PL_STATE/logs)"
}

cmd_down() {
  local n p
  # Processes we started (benign loops, services, captures) first, then anything left in a lab namespace.
  if [ -d "$PL_STATE/pids" ]; then
    for p in "$PL_STATE"/pids/*.pid; do [ -e "$p" ] && kill "$(cat "$p")" 2>/dev/null || true; done
  fi
  for n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^pl-' || true); do
    for p in $(ip netns pids "$n" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
  done
  sleep 0.3
  for n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^pl-' || true); do
    for p in $(ip netns pids "$n" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
    ip netns del "$n" 2>/dev/null || true
  done
  rm -rf "$PL_STATE/pids"
  echo "lab down"
}

cmd_status() {
  local n
  local list; list="$(ip netns list 2>/dev/null | awk '{print $1}' | grep '^pl-' || true)"
  [ -n "$list" ] || { echo "lab is down"; return 0; }
  for n in $list; do
    printf '%-10s %s\n' "$n" "$(ip -n "$n" -br -4 addr show 2>/dev/null | grep -v '^lo' | awk '{print $1, $3}' | tr '\n' ' ')"
  done
  check_containment && echo "containment: ok (no default route, no address outside $LAB_SUBNET, no forwarding)"
}

cmd_benign() {
  local secs="${1:?usage: lab.sh benign SECONDS}"
  local T="$LAB_DIR/traffic" web dns store
  web="$(vm_ip web)"; dns="$(vm_ip dns)"; store="$(vm_ip store)"
  spawn_in c1 http-client timeout "$secs" bash "$T/http-client.sh" "$web" "$secs" 0.5 "$PL_STATE/logs/c1-http.ok"
  spawn_in c2 http-client timeout "$secs" bash "$T/http-client.sh" "$web" "$secs" 0.8 "$PL_STATE/logs/c2-http.ok"
  spawn_in c1 dns-client timeout "$secs" bash "$T/dns-client.sh" "$dns" "$secs" 1.0 "$PL_STATE/logs/c1-dns.ok"
  spawn_in c2 dns-client timeout "$secs" bash "$T/dns-client.sh" "$dns" "$secs" 1.5 "$PL_STATE/logs/c2-dns.ok"
  # The attacker is a compromised VM: it has its own everyday traffic (DNS) before and after.
  spawn_in atk dns-client timeout "$secs" bash "$T/dns-client.sh" "$dns" "$secs" 1.2 "$PL_STATE/logs/atk-dns.ok"
  spawn_in c2 bulk-copy timeout "$secs" bash "$T/bulk-copy.sh" "$store" "$secs" 8 "$PL_STATE/logs/c2-bulk.ok"
  # `idle` sends nothing by design.
  echo "benign traffic for ${secs}s (logs in $PL_STATE/logs)"
}

cmd_attack() {
  local kind="${1:?usage: lab.sh attack KIND VM SECONDS [TARGET...]}" vm="${2:?VM}" secs="${3:?SECONDS}"; shift 3
  local T="$LAB_DIR/traffic" targets=() t
  for t in "$@"; do targets+=("$(vm_ip "$t" || die "unknown lab VM '$t'")"); done
  case "$kind" in
    syn_flood) [ ${#targets[@]} -ge 1 ] || targets=("$(vm_ip web)")
      in_ns "$(ns "$vm")" timeout $((secs + 2)) bash "$T/syn-flood.sh" "${targets[0]}" 8080 "$secs" ;;
    port_scan) [ ${#targets[@]} -ge 1 ] || targets=("$(vm_ip web)" "$(vm_ip store)" "$(vm_ip idle)")
      in_ns "$(ns "$vm")" timeout $((secs + 2)) bash "$T/port-scan.sh" "$secs" "${targets[@]}" ;;
    exfiltration) [ ${#targets[@]} -ge 1 ] || targets=("$(vm_ip drop)")
      in_ns "$(ns "$vm")" timeout $((secs + 2)) bash "$T/exfil.sh" "${targets[0]}" 9001 "$secs" ;;
    c2_beacon) [ ${#targets[@]} -ge 1 ] || targets=("$(vm_ip drop)")
      in_ns "$(ns "$vm")" timeout $((secs + 2)) bash "$T/beacon.sh" "${targets[0]}" 8080 "$secs" 2 ;;
    # Known-peer attacks: the VM's own peers and services (lab-schedule.ts checks the VM uses them);
    # source ports from the reserved blocks in lab/lab-labels.ts KNOWN_PEER_PORTS, which label them.
    dns_tunnel_known_peer) [ ${#targets[@]} -ge 1 ] || targets=("$(vm_ip dns)")
      in_ns "$(ns "$vm")" timeout $((secs + 2)) bash "$T/dns-tunnel.sh" "${targets[0]}" "$secs" 5 20000 20999 ;;
    exfil_known_peer) [ ${#targets[@]} -ge 1 ] || targets=("$(vm_ip store)")
      in_ns "$(ns "$vm")" timeout $((secs + 2)) bash "$T/exfil-known-peer.sh" "${targets[0]}" 9000 "$secs" 128 21000 21999 ;;
    c2_beacon_known_peer) [ ${#targets[@]} -ge 1 ] || targets=("$(vm_ip web)")
      in_ns "$(ns "$vm")" timeout $((secs + 2)) bash "$T/beacon-known-peer.sh" "${targets[0]}" 8080 "$secs" 2 22000 22999 ;;
    flood_known_peer) [ ${#targets[@]} -ge 1 ] || targets=("$(vm_ip web)")
      in_ns "$(ns "$vm")" timeout $((secs + 2)) bash "$T/http-flood.sh" "${targets[0]}" 8080 "$secs" 23000 29999 ;;
    *) die "unknown attack '$kind' (syn_flood | port_scan | exfiltration | c2_beacon | dns_tunnel_known_peer | exfil_known_peer | c2_beacon_known_peer | flood_known_peer)" ;;
  esac
}

cmd_capture_start() {
  local file="${1:?usage: lab.sh capture-start FILE}"
  need tcpdump
  mkdir -p "$PL_STATE/pids"
  ip netns exec "$SW" tcpdump -i "$BR" -w "$file" -U -n -Z root >"$PL_STATE/capture.log" 2>&1 &
  echo $! >"$PL_STATE/pids/capture.pid"
  local i; for i in $(seq 1 50); do grep -q 'listening on' "$PL_STATE/capture.log" 2>/dev/null && break; sleep 0.1; done
  grep -q 'listening on' "$PL_STATE/capture.log" || die "tcpdump did not start: $(cat "$PL_STATE/capture.log")"
  echo "capturing $SW/$BR -> $file"
}

cmd_capture_stop() {
  local p="$PL_STATE/pids/capture.pid"
  [ -e "$p" ] || { echo "no capture running"; return 0; }
  kill -INT "$(cat "$p")" 2>/dev/null || true
  local i; for i in $(seq 1 50); do kill -0 "$(cat "$p")" 2>/dev/null || break; sleep 0.1; done
  rm -f "$p"
  tail -3 "$PL_STATE/capture.log"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  benign) shift; cmd_benign "$@" ;;
  attack) shift; cmd_attack "$@" ;;
  capture-start) shift; cmd_capture_start "$@" ;;
  capture-stop) cmd_capture_stop ;;
  exec) shift; vm="${1:?VM}"; shift; in_ns "$(ns "$vm")" "$@" ;;
  *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
