#!/bin/bash
# tools/fvn-setup in the test bed, in one boot of a guest with no vfio module
# loaded and no hugepages reserved, every controller on the kernel nvme driver:
#   0000:00:04.0  1 namespace, file-backed (data checked across bind/unbind)
#   0000:00:05.0  2 namespaces, file-backed (mounted partition, swap, dm holder)
#   0000:01:01.0  } behind one PCIe-to-PCI bridge, so in one IOMMU group
#   0000:01:02.0  }
# The checks themselves are in setup-guest.sh. FVN_SETUP_TOOL=PATH (inside the
# repository) runs them against another copy of the tool, e.g. a broken one.
. "$(dirname "$0")/lib.sh"
bed_test_start setup

check "tools/fvn-setup is executable" test -x tools/fvn-setup
check "tools/fvn-setup parses with the host's python3" \
	python3 -c 'import ast, sys; ast.parse(open(sys.argv[1]).read())' tools/fvn-setup
check "tools/fvn-setup imports nothing outside the standard library" python3 - tools/fvn-setup <<'PY'
import ast, sys
tree = ast.parse(open(sys.argv[1]).read())
names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
names |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
sys.exit(0 if names <= set(sys.stdlib_module_names) else 1)
PY
check "--help works for every command (on the host: it changes nothing)" sh -c '
	for c in bind unbind reset hugepages status doctor; do
		tools/fvn-setup $c --help | grep -q "^usage: fvn-setup $c" || exit 1
	done'
check "status --json parses on the host too (read-only)" sh -c \
	'tools/fvn-setup status --json | python3 -c "import json, sys; json.load(sys.stdin)"'
check "make install puts it in bin (dist_bin_SCRIPTS)" grep -qE '^dist_bin_SCRIPTS = (.* )?tools/fvn-setup( |$)' Makefile.am

bridge=(--qemu-arg -device --qemu-arg pci-bridge,id=br0,chassis_nr=1,bus=pcie.0,addr=0x10)
for d in c:1 d:2; do
	id=${d%:*} slot=${d#*:}
	bridge+=(--qemu-arg -blockdev --qemu-arg "driver=null-co,node-name=br$id,size=67108864,read-zeroes=on"
		--qemu-arg -device --qemu-arg "nvme,id=nvme-br$id,serial=fvn-br$id,drive=br$id,bus=br0,addr=0$slot.0")
done
start=$SECONDS
"$vm_run" --job "$out/vm" --no-vfio --hugepages 0 --timeout 420 \
	--nvme slot=4,size=64M,driver=nvme --nvme slot=5,ns=2,size=64M,driver=nvme "${bridge[@]}" \
	-- env FVN_OUT="$out" FVN_KROOT="$FVN_CACHE/kernel/root" ${FVN_SETUP_TOOL:+FVN_SETUP_TOOL="$FVN_SETUP_TOOL"} \
	bash test/bed-tests/setup-guest.sh
rc=$?
check "setup tests ran to the end in the guest (exit $rc, $((SECONDS - start)) s)" test $rc -eq 0
