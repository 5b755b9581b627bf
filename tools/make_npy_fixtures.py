#!/usr/bin/env python3
"""Writes .npy files in every layout the ClapAudit reader must accept, into tests/fixtures/npy/.

Run: /usr/bin/python3 tools/make_npy_fixtures.py  (Debian's python3-numpy)
Each file holds the same 3x4 matrix (or its integer version); expected.json lists the values.
"""
import json
import pathlib
import numpy as np
from numpy.lib import format as npf

out = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "npy"
out.mkdir(parents=True, exist_ok=True)
m = np.array([[0.5, -1.25, 2.0, 3.0], [4.0, 5.5, -6.0, 7.0], [8.0, 9.0, 10.0, -11.5]])

def save(name, arr, version=None):
    with open(out / name, "wb") as f:
        npf.write_array(f, arr, version=version, allow_pickle=False)

save("f4_c.npy", m.astype("<f4"))
save("f8_c.npy", m.astype("<f8"))
save("f2_c.npy", m.astype("<f2"))
save("f4_big.npy", m.astype(">f4"))
save("f8_fortran.npy", np.asfortranarray(m.astype("<f8")))
save("f4_v2.npy", m.astype("<f4"), version=(2, 0))
save("f4_v3.npy", m.astype("<f4"), version=(3, 0))
save("i4_labels.npy", np.array([0, 2, 1, 2, 0], dtype="<i4"))
save("i8_labels.npy", np.array([0, 2, 1, 2, 0], dtype="<i8"))
save("i8_big_labels.npy", np.array([0, 2, 1, 2, 0], dtype=">i8"))
save("u1_labels.npy", np.array([0, 2, 1, 2, 0], dtype="u1"))
# Truncated: the header promises 12 floats, the data holds 5.
full = (out / "f4_c.npy").read_bytes()
(out / "truncated.npy").write_bytes(full[: len(full) - 28])
(out / "not_npy.npy").write_bytes(b"hello, this is not numpy")
json.dump({"matrix": m.tolist(), "labels": [0, 2, 1, 2, 0]}, open(out / "expected.json", "w"), indent=1)
print("wrote", sorted(p.name for p in out.iterdir()))
