#!/usr/bin/env python3
"""Regenerates the VCDIFF corpus in this folder (sources/, deltas/, corpus.tsv).

Not run by the tests: the files it writes are committed, and tests/Vcdiff.Tests decodes every
delta without any outside tool. Needs xdelta3 and gzip. Run from anywhere:

    python3 tests/Vcdiff.Tests/Corpus/make-corpus.py

Three kinds of delta:
  xd3-*   real xdelta3 deltas, one per flag set (the flags are in the name and in corpus.tsv);
  ind-*   an independent RFC 3284 encoder written here (no code shared with xdelta3 or Vz.Vcdiff):
          all nine address modes, ADD+COPY and COPY+ADD double opcodes, RUN, COPY overlapping its
          own output, VCD_SOURCE and VCD_TARGET windows, adler32, LZMA2 sections;
  bomb-*  crafted hostile deltas from the hardening issue: each must end in its VZ39xx code, or
          decode correctly within the memory bound.
Every delta xdelta3 can decode is cross-checked with `xdelta3 -d` before its digest is written.
"""
import gzip
import hashlib
import lzma
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCES = os.path.join(HERE, "sources")
DELTAS = os.path.join(HERE, "deltas")
MIB = 1 << 20
rows = []


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def varint(n):
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


# ---------------------------------------------------------------- inputs

def words(rng, n):
    vocab = [b"layer", b"sha256:", b"blob", b"manifest", b"config", b"\n", b"    ", b"0000000000",
             b"/usr/lib/x86_64-linux-gnu/", b'{"a":1}', b"etc/ssl/certs/", b"\x00\x00\x00\x00"]
    out = bytearray()
    while len(out) < n:
        out += rng.choice(vocab)
        if rng.random() < 0.05:
            out += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 12)))
    return bytes(out[:n])


def edit(rng, data, edits):
    data = bytearray(data)
    for _ in range(edits):
        at = rng.randrange(len(data) + 1)
        count = min(rng.randrange(1, 4096), len(data) - at)
        kind = rng.randrange(4)
        if kind == 0:
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 2048)))
        elif kind == 1 and count:
            del data[at:at + count]
        elif kind == 2 and count:
            data[at:at + count] = bytes(rng.randrange(256) for _ in range(count))
        elif kind == 3 and count:
            moved = data[at:at + count]
            del data[at:at + count]
            data += moved
    return bytes(data)


# ---------------------------------------------------------------- xdelta3

def xdelta3(*args):
    r = subprocess.run(["xdelta3", *args], capture_output=True)
    if r.returncode != 0:
        raise SystemExit(f"xdelta3 {' '.join(args)}: {r.stderr.decode()}")


def cross_check(source, delta, expected):
    """xdelta3 -d must agree with the expected output."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        args = ["-d", "-f", "-B", str(16 * MIB)]
        if source:
            args += ["-s", os.path.join(SOURCES, source)]
        xdelta3(*args, os.path.join(DELTAS, delta), out)
        with open(out, "rb") as f:
            got = f.read()
    if got != expected:
        raise SystemExit(f"xdelta3 -d of {delta} differs from the expected output")


def ok(delta, source, target, what, check=True):
    if check:
        cross_check(source, delta, target)
    rows.append((delta, source or "-", "ok", hashlib.sha256(target).hexdigest(), str(len(target)), what))


def fails(delta, source, code, what):
    rows.append((delta, source or "-", code, "-", "-", what))


# ---------------------------------------------------------------- independent encoder (RFC 3284)

S_NEAR, S_SAME = 4, 3


def default_table():
    """Opcode lookups for the RFC 3284 section 5.6 default code table."""
    single, add_copy, copy_add = {}, {}, {}
    i = 0
    single[("RUN", 0, 0)] = i; i += 1
    for size in range(18):
        single[("ADD", size, 0)] = i; i += 1
    for mode in range(9):
        single[("COPY", 0, mode)] = i; i += 1
        for size in range(4, 19):
            single[("COPY", size, mode)] = i; i += 1
    for mode in range(9):
        for add in range(1, 5):
            for copy in range(4, 7 if mode < 6 else 5):
                add_copy[(add, copy, mode)] = i; i += 1
    for mode in range(9):
        copy_add[mode] = i; i += 1
    assert i == 256
    return single, add_copy, copy_add


SINGLE, ADD_COPY, COPY_ADD = default_table()
STATS = {}  # what the independent encoder wrote, printed at the end
CROSSINGS = [0]  # COPYs that start in the segment and run on into the target (RFC 3284 allows, xdelta3 refuses)


class AddressCache:
    def __init__(self):
        self.near = [0] * S_NEAR
        self.next = 0
        self.same = [0] * (S_SAME * 256)

    def encode(self, addr, here, policy, rng):
        """Returns (mode, bytes) for a COPY address, choosing among the modes that can encode it."""
        options = [(0, varint(addr)), (1, varint(here - addr))]
        for i in range(S_NEAR):
            if addr - self.near[i] >= 0:
                options.append((2 + i, varint(addr - self.near[i])))
        slot = addr % (S_SAME * 256)
        if self.same[slot] == addr:
            options.append((2 + S_NEAR + slot // 256, bytes([slot % 256])))
        if policy == "random":
            mode, encoded = rng.choice(options)
        else:
            mode, encoded = min(options, key=lambda o: (len(o[1]), o[0]))
        STATS[f"mode {mode}"] = STATS.get(f"mode {mode}", 0) + 1
        self.near[self.next] = addr
        self.next = (self.next + 1) % S_NEAR
        self.same[slot] = addr
        return mode, encoded


def find_instructions(segment, target, rng, min_match):
    """Greedy matcher over segment+target ("here" space): RUN, COPY (may overlap its output), ADD."""
    space = segment + target
    base = len(segment)
    index = {}

    def add_index(p):
        if p + 4 <= len(space):
            index.setdefault(space[p:p + 4], []).append(p)

    for p in range(len(segment)):
        add_index(p)
    insts, add, pos = [], bytearray(), 0
    while pos < len(target):
        here = base + pos
        run = 1
        while pos + run < len(target) and target[pos + run] == target[pos] and run < 5000:
            run += 1
        best, best_addr = 0, 0
        for cand in index.get(space[here:here + 4], [])[-16:]:
            n = 0
            while pos + n < len(target) and space[cand + n] == target[pos + n] and n < 20000:
                n += 1
            if n > best:
                best, best_addr = n, cand
        if run >= 8 and run >= best:
            if add:
                insts.append(("ADD", bytes(add))); add = bytearray()
            insts.append(("RUN", run, target[pos]))
            step = run
        elif best >= min_match:
            if add:
                insts.append(("ADD", bytes(add))); add = bytearray()
            # Sometimes cut a long copy so sizes 4..18 and double opcodes turn up.
            if best > 18 and rng.random() < 0.3:
                best = rng.randrange(4, 19)
            insts.append(("COPY", best, best_addr))
            if best_addr < base < best_addr + best:
                CROSSINGS[0] += 1
            step = best
        else:
            add.append(target[pos])
            step = 1
        for p in range(here, here + step):
            add_index(p)
        pos += step
    if add:
        insts.append(("ADD", bytes(add)))
    return insts


def encode_window(segment, seg_info, target, rng, policy, adler, doubles, compress=None):
    """One window: seg_info None, ('S', pos) or ('T', pos)."""
    insts = find_instructions(segment, target, rng, 4)
    cache = AddressCache()
    data, inst, addr = bytearray(), bytearray(), bytearray()
    here = len(segment)
    i = 0
    while i < len(insts):
        ins = insts[i]
        nxt = insts[i + 1] if i + 1 < len(insts) else None
        if ins[0] == "ADD":
            data += ins[1]
            size = len(ins[1])
            if doubles and nxt and nxt[0] == "COPY" and 1 <= size <= 4 and 4 <= nxt[1] <= 6:
                mode, enc = cache.encode(nxt[2], here + size, policy, rng)
                key = (size, nxt[1], mode)
                if key in ADD_COPY:
                    STATS["ADD+COPY"] = STATS.get("ADD+COPY", 0) + 1
                    inst.append(ADD_COPY[key]); addr += enc
                    here += size + nxt[1]; i += 2
                    continue
                # The mode chosen has no double with this copy size: undo nothing, emit both singly.
                inst.append(SINGLE[("ADD", size, 0)])
                here += size
                inst_copy(inst, nxt[1], mode)
                addr += enc
                here += nxt[1]; i += 2
                continue
            if size <= 17:
                inst.append(SINGLE[("ADD", size, 0)])
            else:
                inst.append(SINGLE[("ADD", 0, 0)]); inst += varint(size)
            here += size
        elif ins[0] == "RUN":
            inst.append(SINGLE[("RUN", 0, 0)]); inst += varint(ins[1]); data.append(ins[2])
            here += ins[1]
        else:
            size = ins[1]
            mode, enc = cache.encode(ins[2], here, policy, rng)
            addr += enc
            if doubles and size == 4 and nxt and nxt[0] == "ADD" and len(nxt[1]) == 1:
                STATS["COPY+ADD"] = STATS.get("COPY+ADD", 0) + 1
                inst.append(COPY_ADD[mode]); data += nxt[1]
                here += 5; i += 2
                continue
            inst_copy(inst, size, mode)
            here += size
        i += 1

    indicator = {None: 0, "S": 1, "T": 2}[seg_info[0] if seg_info else None] | (4 if adler else 0)
    delta_indicator = 0
    sections = []
    for bit, section in ((1, data), (2, inst), (4, addr)):
        if compress is not None and len(section) > 64:
            sections.append(compress(bit, bytes(section)))
            delta_indicator |= bit
        else:
            sections.append(bytes(section))
    body = varint(len(target)) + bytes([delta_indicator]) + b"".join(varint(len(s)) for s in sections)
    if adler:
        body += struct.pack(">I", zlib.adler32(target))
    body += b"".join(sections)
    seg = varint(len(segment)) + varint(seg_info[1]) if seg_info else b""
    return bytes([indicator]) + seg + varint(len(body)) + body


def inst_copy(inst, size, mode):
    if 4 <= size <= 18:
        inst.append(SINGLE[("COPY", size, mode)])
    else:
        inst.append(SINGLE[("COPY", 0, mode)]); inst += varint(size)


def xz_section_compressor(dict_byte):
    """xdelta3-style lzma sections: one .xz stream per section kind across windows. Each section
    here is its own raw LZMA2 run that starts with a dictionary reset (valid anywhere in LZMA2);
    the first of each kind carries the .xz stream and block headers."""
    started = set()
    dict_size = (2 | (dict_byte & 1)) << (dict_byte // 2 + 11)

    def compress(kind, section):
        raw = lzma.compress(section, format=lzma.FORMAT_RAW,
                            filters=[{"id": lzma.FILTER_LZMA2, "dict_size": max(dict_size, 4096), "preset": 0}])
        assert raw[-1] == 0
        chunks = raw[:-1]
        head = b""
        if kind not in started:
            started.add(kind)
            flags = b"\x00\x00"
            head = b"\xfd7zXZ\x00" + flags + struct.pack("<I", zlib.crc32(flags))
            block = bytes([2, 0x00, 0x21, 0x01, dict_byte, 0, 0, 0])  # size (2+1)*4 = 12 with CRC
            head += block + struct.pack("<I", zlib.crc32(block))
        return varint(len(section)) + head + chunks

    return compress


def header(app=None, secondary=False):
    indicator = (1 if secondary else 0) | (4 if app is not None else 0)
    out = b"\xd6\xc3\xc4\x00" + bytes([indicator])
    if secondary:
        out += b"\x02"
    if app is not None:
        out += varint(len(app)) + app
    return out


def independent(name, source_name, source, target, rng, *, window, policy, adler=True, doubles=True,
                target_windows=False, source_window=None, app=None, lzma_dict=None):
    compress = xz_section_compressor(lzma_dict) if lzma_dict is not None else None
    out = bytearray(header(app, compress is not None))
    written = b""
    for start in range(0, max(len(target), 1), window):
        chunk = target[start:start + window]
        if not chunk and start:
            break
        seg_info, segment = None, b""
        if target_windows and written and rng.random() < 0.5:
            lo = max(0, len(written) - 3 * window)
            pos = rng.randrange(lo, len(written))
            segment = written[pos:]
            seg_info = ("T", pos)
        elif source:
            sw = source_window or len(source)
            pos = max(0, min(len(source) - sw, start - sw // 2))
            segment = source[pos:pos + sw]
            seg_info = ("S", pos)
        out += encode_window(segment, seg_info, chunk, rng, policy, adler, doubles, compress)
        written += chunk
    assert written == target
    write(os.path.join(DELTAS, name), bytes(out))
    return name


# ---------------------------------------------------------------- crafted bombs

def bomb_window(t, data, inst, addr, compress=None, delta_indicator=0):
    sections = [data, inst, addr]
    if compress:
        sections = [compress(1 << k, s) if delta_indicator & (1 << k) else s for k, s in enumerate(sections)]
    body = varint(t) + bytes([delta_indicator]) + b"".join(varint(len(s)) for s in sections) + b"".join(sections)
    return b"\x00" + varint(len(body)) + body


def set_dict_byte(delta, value):
    """Changes the LZMA2 dictionary byte of the first .xz block header and fixes its CRC32."""
    delta = bytearray(delta)
    at = delta.index(b"\xfd7zXZ\x00") + 12
    size = (delta[at] + 1) * 4
    assert delta[at + 2] == 0x21 and delta[at + 3] == 1, "block header is not a plain LZMA2 filter"
    delta[at + 4] = value
    delta[at + size - 4:at + size] = struct.pack("<I", zlib.crc32(bytes(delta[at:at + size - 4])))
    return bytes(delta)


def main():
    if not shutil.which("xdelta3"):
        raise SystemExit("xdelta3 is not installed")
    for d in (SOURCES, DELTAS):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    rng = random.Random(3284)

    # Sources: text-like (a tar-ish archive) and binary, both over xdelta3's 512 KiB minimum -B.
    text_old = words(rng, 600_000)
    bin_old = bytes(rng.randrange(256) for _ in range(96_000))
    write(os.path.join(SOURCES, "text.old"), text_old)
    write(os.path.join(SOURCES, "bin.old"), bin_old)
    targets = {
        "text": ("text.old", edit(rng, text_old, 15)),
        "bin": ("bin.old", edit(rng, bin_old, 12)),
        "grow": ("text.old", text_old[:300_000] + words(rng, 30_000) + bytes(50_000) + text_old[400_000:]),
    }

    with tempfile.TemporaryDirectory() as tmp:
        def target_file(key):
            path = os.path.join(tmp, key + ".new")
            write(path, targets[key][1])
            return path

        flag_sets = [
            ("lzma9D", "-e -9 -S lzma -D -B 1048576"),
            ("lzma1", "-e -1 -S lzma -B 1048576"),
            ("none9", "-e -9 -S none -B 1048576"),
            ("none9W64k", "-e -9 -S none -W 65536 -B 524288"),
            ("none6n", "-e -6 -S none -n"),
            ("none1A", "-e -1 -S none -A"),
            ("none0", "-e -0 -S none"),
            ("lzma9W64k", "-e -9 -S lzma -W 65536 -B 524288"),
            ("lzma3n", "-e -3 -S lzma -n -B 524288"),
        ]
        for key in targets:
            src, new = targets[key]
            for tag, flags in flag_sets:
                if tag == "none0" and key != "bin":
                    continue  # -0 barely matches: hundreds of KB for the text targets
                name = f"xd3-{key}-{tag}.vcdiff"
                xdelta3(*flags.split(), "-f", "-s", os.path.join(SOURCES, src), target_file(key), os.path.join(DELTAS, name))
                ok(name, src, new, f"xdelta3 {flags}")
        # Without a source, an empty target, identical files, and an empty source.
        targets["slice"] = (None, targets["text"][1][:60_000])
        for tag, flags in (("lzma9", "-e -9 -S lzma"), ("none9", "-e -9 -S none")):
            name = f"xd3-nosource-{tag}.vcdiff"
            xdelta3(*flags.split(), "-f", target_file("slice"), os.path.join(DELTAS, name))
            ok(name, None, targets["slice"][1], f"xdelta3 {flags}, no source")
        empty = os.path.join(tmp, "empty")
        write(empty, b"")
        xdelta3("-e", "-9", "-S", "none", "-f", "-s", os.path.join(SOURCES, "bin.old"), empty, os.path.join(DELTAS, "xd3-empty-target.vcdiff"))
        ok("xd3-empty-target.vcdiff", "bin.old", b"", "xdelta3 -e -9 -S none, empty target")
        xdelta3("-e", "-9", "-S", "none", "-f", "-s", os.path.join(SOURCES, "bin.old"), os.path.join(SOURCES, "bin.old"), os.path.join(DELTAS, "xd3-identical.vcdiff"))
        ok("xd3-identical.vcdiff", "bin.old", bin_old, "xdelta3 -e -9 -S none, identical files")

        # xdelta3 -e of .gz inputs without -D: the app header names gzip; xdelta3 -d would recompress.
        gz_old = gzip.compress(text_old[:20_000], mtime=0)
        gz_new = gzip.compress(targets["text"][1][:21_000], mtime=0)
        write(os.path.join(SOURCES, "old.gz"), gz_old)
        new_gz = os.path.join(tmp, "new.gz")
        write(new_gz, gz_new)
        xdelta3("-e", "-f", new_gz, os.path.join(DELTAS, "bomb-gzip-target-nosource.vcdiff"))
        fails("bomb-gzip-target-nosource.vcdiff", None, "VZ3905", "xdelta3 -e of a .gz without -s: app header new.gz/G")
        xdelta3("-e", "-f", "-s", os.path.join(SOURCES, "old.gz"), new_gz, os.path.join(DELTAS, "bomb-gzip-both.vcdiff"))
        fails("bomb-gzip-both.vcdiff", "old.gz", "VZ3905", "xdelta3 -e -s old.gz new.gz: app header new.gz/G/old.gz/G")

        # LZMA bomb of the issue: -0 leaves a periodic target as ADD data that lzma packs 6000:1.
        periodic = os.path.join(tmp, "periodic")
        write(periodic, (bytes(range(256)) * (128 * MIB // 256)))
        xdelta3("-e", "-0", "-S", "lzma", "-W", str(16 * MIB), "-f", periodic, os.path.join(DELTAS, "bomb-lzma-128MiB.vcdiff"))
        with open(periodic, "rb") as f:
            periodic_bytes = f.read()
        ok("bomb-lzma-128MiB.vcdiff", None, periodic_bytes, "xdelta3 -0 -S lzma -W 16MiB: eight 16 MiB windows of lzma-packed ADD data")
        with open(os.path.join(DELTAS, "bomb-lzma-128MiB.vcdiff"), "rb") as f:
            lzma_bomb = f.read()
        write(os.path.join(DELTAS, "bomb-lzma-dict40.vcdiff"), set_dict_byte(lzma_bomb, 40))
        fails("bomb-lzma-dict40.vcdiff", None, "VZ3907", "the same with dictionary byte 40 (4 GiB): over the limit")
        write(os.path.join(DELTAS, "bomb-lzma-dict8MiB.vcdiff"), set_dict_byte(lzma_bomb, 22))
        ok("bomb-lzma-dict8MiB.vcdiff", None, periodic_bytes, "the same with dictionary byte 22 (8 MiB, the limit): decodes")
        write(os.path.join(DELTAS, "bomb-lzma-dict16MiB.vcdiff"), set_dict_byte(lzma_bomb, 24))
        fails("bomb-lzma-dict16MiB.vcdiff", None, "VZ3907", "the same with dictionary byte 24 (16 MiB): over the limit")

    # Independent encoder.
    text_src, text_new = targets["text"]
    bin_src, bin_new = targets["bin"]
    grow_src, grow_new = targets["grow"]
    small_text = text_new[:150_000]
    cases = [
        ("ind-text-random-modes.vcdiff", text_src, text_old, small_text, dict(window=65536, policy="random", source_window=131072)),
        ("ind-text-best-modes.vcdiff", text_src, text_old, small_text, dict(window=1 << 20, policy="best")),
        ("ind-text-nodoubles-noadler.vcdiff", text_src, text_old, small_text, dict(window=32768, policy="random", adler=False, doubles=False)),
        ("ind-text-srcwindow.vcdiff", text_src, text_old, small_text, dict(window=16384, policy="random", source_window=65536)),
        ("ind-text-appheader.vcdiff", text_src, text_old, text_new[:40_000], dict(window=8192, policy="best", app=b"new//old/")),
        ("ind-bin-random-modes.vcdiff", bin_src, bin_old, bin_new, dict(window=20000, policy="random")),
        ("ind-bin-lzma.vcdiff", bin_src, bin_old, bin_new, dict(window=30000, policy="random", lzma_dict=12)),
        ("ind-grow-lzma.vcdiff", grow_src, text_old, grow_new[250_000:420_000], dict(window=65536, policy="best", lzma_dict=16)),
        ("ind-nosource-runs.vcdiff", None, b"", words(rng, 60_000) + bytes(9000) + b"ab" * 3000, dict(window=16384, policy="random")),
        ("ind-empty-target.vcdiff", None, b"", b"", dict(window=16384, policy="random")),
    ]
    for i in range(12):
        cases.append((f"ind-seed{i:02d}.vcdiff", text_src, text_old, edit(rng, text_old[i * 40_000:(i + 1) * 40_000], 10),
                      dict(window=rng.choice([4096, 16384, 65536]), policy=rng.choice(["random", "best"]), adler=bool(i % 2),
                           source_window=131072, lzma_dict=12 if i % 3 == 0 else None)))
    for name, src, source, target, kw in cases:
        CROSSINGS[0] = 0
        independent(name, src, source, target, rng, **kw)
        what = "independent encoder " + ", ".join(f"{k}={v}" for k, v in kw.items() if k != "app")
        if CROSSINGS[0]:
            what += f", {CROSSINGS[0]} COPYs cross from the segment into the target (xdelta3 refuses those)"
        ok(name, src, target, what, check=CROSSINGS[0] == 0)
    # VCD_TARGET windows (xdelta3 cannot decode them: "VCD_TARGET not implemented").
    for i, policy in enumerate(("random", "best")):
        name = f"ind-target-windows-{policy}.vcdiff"
        target = words(rng, 20_000) * 3 + bytes(5000)
        independent(name, None, b"", target, rng, window=8192, policy=policy, target_windows=True)
        ok(name, None, target, f"independent encoder, VCD_TARGET windows, {policy} modes", check=False)

    # Crafted hostile deltas (the reproductions and their relatives).
    hdr = header()
    crafted = [
        ("bomb-data-2GiB.vcdiff", bytes.fromhex("d6c3c4000000888080800a0a0088808080000100"), "VZ3902",
         "the issue's reproduction: data section of 2^31 bytes in a 10-byte window"),
        ("bomb-inst-2GiB.vcdiff", hdr + b"\x00" + varint(9 + (1 << 31)) + varint(10) + b"\x00\x00" + varint(1 << 31) + b"\x00", "VZ3907",
         "instruction section of 2^31 bytes"),
        ("bomb-addr-4GiB.vcdiff", hdr + b"\x00" + varint(9 + (1 << 32) - 100) + varint(10) + b"\x00\x00\x00" + varint((1 << 32) - 100), "VZ3907",
         "address section of 2^32 - 100 bytes"),
        ("bomb-window-4GiB.vcdiff", hdr + b"\x00" + varint(9) + varint((1 << 32) - 1) + b"\x00\x00\x00\x00", "VZ3907",
         "target window of 2^32 - 1 bytes"),
        ("bomb-apphead-4GiB.vcdiff", b"\xd6\xc3\xc4\x00\x04" + varint((1 << 32) - 1), "VZ3901", "application header of 2^32 - 1 bytes"),
        ("bomb-segment-2^62.vcdiff", hdr + b"\x01" + varint(1 << 62) + varint(0) + varint(6) + b"\x04\x00\x00\x01\x00\x13\x04", "VZ3906",
         "source segment of 2^62 bytes"),
    ]
    # Sections at the budget: 16 MiB window, 16 MiB of data and 16 MiB of ADD-1 opcodes, both lzma with an
    # 8 MiB dictionary, three windows: the most memory a delta may make vzpatch use.
    compress = xz_section_compressor(22)
    t = 16 * MIB
    data = (bytes(range(251)) * (t // 251 + 1))[:t]
    windows = b"".join(bomb_window(t, data, bytes([SINGLE[("ADD", 1, 0)]]) * t, b"", compress, 3) for _ in range(3))
    write(os.path.join(DELTAS, "bomb-budget-3x16MiB.vcdiff"), header(secondary=True) + windows)
    ok("bomb-budget-3x16MiB.vcdiff", None, data * 3, "three 16 MiB windows whose lzma sections fill the budget: 16 MiB data + 16 MiB ADD opcodes, 8 MiB dictionaries")
    compress = xz_section_compressor(12)
    over = bomb_window(t, data[:t // 2], bytes([SINGLE[("ADD", 1, 0)]]) * (t // 2) + bytes(t + 8192), b"", compress, 3)
    write(os.path.join(DELTAS, "bomb-budget-over.vcdiff"), header(secondary=True) + over)
    fails("bomb-budget-over.vcdiff", None, "VZ3907", "lzma instruction section that decodes past 2 x window + 4 KiB")
    for name, delta, code, what in crafted:
        write(os.path.join(DELTAS, name), delta)
        fails(name, None, code, what)

    with open(os.path.join(HERE, "corpus.tsv"), "w") as f:
        f.write("# delta\tsource\texpect\tsha256\tlength\twhat (written by make-corpus.py)\n")
        for row in rows:
            f.write("\t".join(row) + "\n")
    print(f"{len(rows)} deltas; independent encoder wrote: " + ", ".join(f"{k} x{v}" for k, v in sorted(STATS.items())))


if __name__ == "__main__":
    sys.exit(main())
