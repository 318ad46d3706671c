# Attack: nmap SYN scan of the given lab addresses only (a list, never a range), ports 1-3000,
# bounded by SECONDS (--host-timeout and timeout).
# Usage (inside the attacker VM): port-scan.sh SECONDS IP...
set -u
secs="$1"; shift
for t in "$@"; do case "$t" in 10.203.0.*) ;; *) echo "port-scan: $t is not a lab address" >&2; exit 2 ;; esac; done
exec timeout "$secs" nmap -n -Pn -sS -T4 --max-retries 1 --max-rate 800 --host-timeout "${secs%.*}s" -p 1-3000 "$@"
