#!/bin/bash
# On the host (no device needed): the installed fio accepts the engine's ABI
# version and lists its options, and the shared object carries what fio needs.
. "$(dirname "$0")/../bed-tests/lib.sh"
so=$repo/fio-vfio-nvme.so
out=$(fio --enghelp="$so" 2>&1)
check "installed fio loads the engine (no 'bad ioops version')" \
	sh -c "! printf '%s' \"\$1\" | grep -q 'bad ioops\|failed to load'" _ "$out"
for opt in mem_size_mb iova_mode huge_dir nsid queue_entries log_level cmd_timeout_ms shadow_doorbells; do
	check "fio --enghelp lists engine option $opt" \
		sh -c "printf '%s\n' \"\$1\" | grep -q '^$opt '" _ "$out"
done
check "the engine is linked with -z nodelete (fio dlcloses engines early)" \
	sh -c "readelf -d '$so' | grep -q 'Flags:.*NODELETE'"
check "DPDK's EAL is linked in, not loaded (no librte_eal.so: EAL then skips its driver plugins)" \
	sh -c "! readelf -d '$so' | grep -q 'NEEDED.*librte_eal'"
check "the engine exports the 'ioengine' symbol fio looks up" \
	sh -c "nm -D --defined-only '$so' | grep -qw ioengine"
# Without a job thread set-up the engine must refuse politely, not crash:
# a process-mode job (no thread=1) is turned down before any device access.
err=$(fio --name=x --ioengine=external:"$so" --filename=0000.00.04.0 --rw=read --size=1m 2>&1)
rc=$?
check "a job without thread=1 is refused with a message (rc $rc)" \
	sh -c "[ $rc -ne 0 ] && printf '%s' \"\$1\" | grep -q 'add thread=1'" _ "$err"
