"""bitsandbytes' 8-bit dynamic code map, from its published construction
(create_dynamic_map(signed, max_exponent_bits=7, total_bits=8) in bitsandbytes.functional),
evaluated with torch's float32 linspace and arithmetic. Writes the 256 codes, ascending, as
float32 bit patterns (hex), one per line:

    python3 dynamic_map.py OUT_DIR      # with torch 2.13 (see README)
"""
import struct
import sys

import torch


def codes(signed):
    values = []
    for i in range(7):                      # exponent 10^(i-6)
        n = 2 ** i + 1 if signed else 2 ** (i + 1) + 1
        bounds = torch.linspace(0.1, 1, n, dtype=torch.float32)
        mids = (bounds[:-1] + bounds[1:]) / 2.0
        values += ((10 ** (i - 6)) * mids).tolist()
        if signed:
            values += (-(10 ** (i - 6)) * mids).tolist()
    values += [0.0, 1.0]
    assert len(values) == 256
    return torch.tensor(sorted(values), dtype=torch.float32)


if __name__ == "__main__":
    out = sys.argv[1]
    for signed, name in ((True, "signed"), (False, "unsigned")):
        with open(f"{out}/dynamic_map_{name}.txt", "w") as f:
            for v in codes(signed).tolist():
                f.write("%08x\n" % struct.unpack("<I", struct.pack("<f", v))[0])
