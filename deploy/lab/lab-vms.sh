# The lab's VMs: name, address, role. Sourced by lab.sh. Every address is inside LAB_SUBNET, and
# nothing outside it is ever a target. The attacker is `atk`; `drop` stands for an outside host
# (exfiltration sink and C2 server) but is just another namespace on the same bridge.
LAB_SUBNET_PREFIX="10.203.0"
LAB_SUBNET="${LAB_SUBNET_PREFIX}.0/24"
LAB_ACCOUNT="acct-lab"
LAB_VNET="vnet-lab"
# name:last-octet
LAB_VMS="web:10 dns:11 c1:21 c2:22 store:30 idle:40 atk:66 drop:200"

vm_ip() { local e; for e in $LAB_VMS; do [ "${e%%:*}" = "$1" ] && { echo "${LAB_SUBNET_PREFIX}.${e##*:}"; return 0; }; done; return 1; }
vm_mac() { local o; o="$(vm_ip "$1")"; o="${o##*.}"; printf '02:50:00:00:00:%02x\n' "$o"; }
vm_names() { local e; for e in $LAB_VMS; do echo "${e%%:*}"; done; }
