# Benign resolver client: one lookup of a lab name every MEAN_S seconds (jittered), for SECONDS;
# appends "epoch_ms ok|fail" per query to LOG. Bounded: at most 2*SECONDS/MEAN_S queries.
# Usage (inside a VM): dns-client.sh RESOLVER_IP SECONDS MEAN_S LOG
set -u
dns="$1" secs="$2" mean="$3" log="$4"
names=(web.lab store.lab dns.lab www.example.lab api.example.lab)
end=$(( $(date +%s) + ${secs%.*} ))
max=$(awk -v s="$secs" -v m="$mean" 'BEGIN { print int(2 * s / m) + 1 }')
for _ in $(seq 1 "$max"); do
  [ "$(date +%s)" -lt "$end" ] || break
  name=${names[$(( RANDOM % ${#names[@]} ))]}
  if [ -n "$(dig +short +time=1 +tries=1 "@$dns" "$name" A)" ]; then r=ok; else r=fail; fi
  echo "$(date +%s%3N) $r" >>"$log"
  sleep "$(awk -v m="$mean" -v r="$RANDOM" 'BEGIN { printf "%.3f", m * (0.5 + r / 32767) }')"
done
