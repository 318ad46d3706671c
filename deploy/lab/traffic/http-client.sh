# Benign web client: GETs a random page every MEAN_S seconds (jittered 0.5x-1.5x) for SECONDS,
# appending "epoch_ms ok|fail" per request to LOG. Bounded: at most 2*SECONDS/MEAN_S requests.
# Usage (inside a VM): http-client.sh SERVER_IP SECONDS MEAN_S LOG
set -u
server="$1" secs="$2" mean="$3" log="$4"
end=$(( $(date +%s) + ${secs%.*} ))
max=$(awk -v s="$secs" -v m="$mean" 'BEGIN { print int(2 * s / m) + 1 }')
for _ in $(seq 1 "$max"); do
  [ "$(date +%s)" -lt "$end" ] || break
  page=$(( RANDOM % 20 + 1 ))
  if curl -s -m 2 -o /dev/null "http://$server:8080/page$page.html"; then r=ok; else r=fail; fi
  echo "$(date +%s%3N) $r" >>"$log"
  sleep "$(awk -v m="$mean" -v r="$RANDOM" 'BEGIN { printf "%.3f", m * (0.5 + r / 32767) }')"
done
