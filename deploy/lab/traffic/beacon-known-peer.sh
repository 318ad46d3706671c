# Known-peer attack: a beacon to the site the VM browses: an HTTP GET every PERIOD_S seconds (about
# 2% jitter) to the lab web VM, for SECONDS, from source ports PORT_LO.. (the label's reserved block).
# Bounded in count and time.
# Usage (inside the compromised VM): beacon-known-peer.sh WEB_IP PORT SECONDS PERIOD_S PORT_LO PORT_HI
set -u
web="$1" port="$2" secs="$3" period="$4" lo="$5" hi="$6"
case "$web" in 10.203.0.*) ;; *) echo "beacon-known-peer: $web is not a lab address" >&2; exit 2 ;; esac
end=$(( $(date +%s) + ${secs%.*} ))
for i in $(seq 0 $(( ${secs%.*} / ${period%.*} + 1 ))); do
  [ "$(date +%s)" -lt "$end" ] || break
  p=$(( lo + i % (hi - lo + 1) ))
  curl -s -m 2 -o /dev/null --local-port "$p-$hi" "http://$web:$port/page1.html?id=$i" || true
  sleep "$(awk -v p="$period" -v r="$RANDOM" 'BEGIN { printf "%.3f", p * (0.99 + 0.02 * r / 32767) }')"
done
