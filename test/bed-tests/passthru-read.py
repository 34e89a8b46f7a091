#!/usr/bin/env python3
"""Guest side: read a namespace's blocks (data and interleaved metadata)
through the kernel nvme driver's passthrough ioctl, 16 blocks per Read, and
compare them with the fio pattern the engine wrote. For extended-LBA
namespaces, which the kernel cannot do block I/O on.

    passthru-read.py DEV SLBA NLB BS PATTERN

DEV is /dev/ngXnY, BS the extended block size (data + metadata). PATTERN:
  offset:PREFIX  fio's verify_pattern="PREFIX"%o with bs=BS: each block
                 repeats PREFIX and its byte offset (8 bytes, little endian);
  hex:HEX        a fixed pattern (verify_pattern=0xHEX) whose length divides
                 BS, whatever the io_us' size.
Exits 0 when every block matches, 1 when one differs, with what differs.
"""
import ctypes
import fcntl
import os
import struct
import sys


class Cmd(ctypes.Structure):  # struct nvme_passthru_cmd, linux/nvme_ioctl.h
    _fields_ = [("opcode", ctypes.c_uint8), ("flags", ctypes.c_uint8), ("rsvd1", ctypes.c_uint16),
                ("nsid", ctypes.c_uint32), ("cdw2", ctypes.c_uint32), ("cdw3", ctypes.c_uint32),
                ("metadata", ctypes.c_uint64), ("addr", ctypes.c_uint64),
                ("metadata_len", ctypes.c_uint32), ("data_len", ctypes.c_uint32)] + \
               [("cdw%d" % i, ctypes.c_uint32) for i in range(10, 16)] + \
               [("timeout_ms", ctypes.c_uint32), ("result", ctypes.c_uint32)]


assert ctypes.sizeof(Cmd) == 72
NVME_IOCTL_ID, NVME_IOCTL_IO_CMD = 0x4E40, 0xC0484E43


def expected(pattern, off, bs):
    kind, _, value = pattern.partition(":")
    if kind == "offset":
        unit = value.encode() + struct.pack("<Q", off)
    elif kind == "hex":
        unit = bytes.fromhex(value)
        # fio repeats it from the start of each io_u, so every block of
        # every io_u starts with it when its length divides the block's.
        if bs % len(unit):
            sys.exit("hex:%s: the pattern's length must divide BS (%d)" % (value, bs))
    else:
        sys.exit("pattern %r: offset:PREFIX or hex:HEX" % pattern)
    return (unit * (bs // len(unit) + 1))[:bs]


def main():
    dev, slba, nlb, bs, pattern = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
        int(sys.argv[4]), sys.argv[5]
    fd = os.open(dev, os.O_RDONLY)
    nsid = fcntl.ioctl(fd, NVME_IOCTL_ID)
    bad = 0
    for first in range(slba, slba + nlb, 16):
        n = min(16, slba + nlb - first)
        buf = ctypes.create_string_buffer(n * bs)
        c = Cmd(opcode=0x02, nsid=nsid, addr=ctypes.addressof(buf), data_len=n * bs,
                cdw10=first & 0xffffffff, cdw11=first >> 32, cdw12=n - 1)
        status = fcntl.ioctl(fd, NVME_IOCTL_IO_CMD, c)
        if status:
            sys.exit("read of LBA %d: NVMe status 0x%x" % (first, status))
        for i in range(n):
            off = (first + i) * bs
            if buf.raw[i * bs:(i + 1) * bs] != expected(pattern, off, bs):
                bad += 1
                if bad <= 3:
                    print("LBA %d differs from the pattern for offset %d" % (first + i, off))
    print("%d of %d blocks differ" % (bad, nlb))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
