# Attack: periodic beacon: an HTTP GET to the C2 host every PERIOD_S seconds (small jitter), for
# SECONDS. Bounded in count and time.
# Usage (inside the attacker VM): beacon.sh C2_IP PORT SECONDS PERIOD_S
set -u
c2="$1" port="$2" secs="$3" period="$4"
case "$c2" in 10.203.0.*) ;; *) echo "beacon: $c2 is not a lab address" >&2; exit 2 ;; esac
end=$(( $(date +%s) + ${secs%.*} ))
for i in $(seq 1 $(( ${secs%.*} / ${period%.*} + 1 ))); do
  [ "$(date +%s)" -lt "$end" ] || break
  curl -s -m 2 -o /dev/null "http://$c2:$port/beacon?seq=$i" || true
  sleep "$(awk -v p="$period" -v r="$RANDOM" 'BEGIN { printf "%.3f", p * (0.95 + 0.1 * r / 32767) }')"
done
