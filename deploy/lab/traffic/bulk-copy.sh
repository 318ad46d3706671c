# Benign bulk copy: every EVERY_S seconds (jittered), 1-3 MB of low-entropy "backup" text to the
# store VM over TCP (nc), for SECONDS; appends "epoch_ms ok|fail" to LOG. Bounded in count and time.
# Usage (inside a VM): bulk-copy.sh STORE_IP SECONDS EVERY_S LOG
set -u
store="$1" secs="$2" every="$3" log="$4"
end=$(( $(date +%s) + ${secs%.*} ))
max=$(awk -v s="$secs" -v m="$every" 'BEGIN { print int(2 * s / m) + 1 }')
for _ in $(seq 1 "$max"); do
  [ "$(date +%s)" -lt "$end" ] || break
  bytes=$(( (RANDOM % 3 + 1) * 1000000 ))
  if yes 'backup-record 0001 customer=acme status=active balance=000100' | head -c "$bytes" | timeout 10 nc -N -w 3 "$store" 9000; then r=ok; else r=fail; fi
  echo "$(date +%s%3N) $r" >>"$log"
  sleep "$(awk -v m="$every" -v r="$RANDOM" 'BEGIN { printf "%.3f", m * (0.5 + r / 32767) }')"
done
