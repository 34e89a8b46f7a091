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

# SPDK's plugin is used as LD_PRELOAD=<plugin> fio job.fio with ioengine=spdk.
# Preloaded, this engine registers under that name too, with all of SPDK's options.
spdk=$(LD_PRELOAD="$so" fio --enghelp=spdk 2>&1)
for opt in pi_act pi_chk md_per_io_size enable_sgl sge_size enable_wrr wrr_priority zone_append \
	initial_zone_reset print_qid_mappings enable_vmd hostnqn digest_enable shm_id spdk_tracing \
	log_flags enable_interrupts; do
	check "preloaded, ioengine=spdk is this engine and lists SPDK's option $opt" \
		sh -c "printf '%s\n' \"\$1\" | grep -q '^$opt '" _ "$spdk"
done
check "not preloaded, there is no engine called spdk" \
	sh -c "! fio --enghelp=spdk > /dev/null 2>&1"
# SPDK's example job (test/bed-tests/spdk-example.fio), with the filename
# form its README gives: it reaches this engine's preflight.
err=$(LD_PRELOAD="$so" fio "$repo/test/bed-tests/spdk-example.fio" \
	'--filename=trtype=PCIe traddr=0000.1f.1f.7 ns=1' 2>&1)
rc=$?
check "SPDK's example job, preloaded, runs this engine: its preflight names the missing device (rc $rc)" \
	sh -c "[ $rc -ne 0 ] && printf '%s' \"\$1\" | grep -q '0000:1f:1f.7: no such PCI device'" _ "$err"
# LD_PRELOAD also loads the engine into what a command line runs before fio
# (env, timeout): it must load there and do nothing.
LD_PRELOAD="$so" timeout 10 env true
rc=$?
check "preloaded into programs that are not fio (timeout, env), the engine loads and stays out of the way (rc $rc)" \
	test $rc -eq 0
