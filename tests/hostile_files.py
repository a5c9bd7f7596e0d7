"""Hostile inputs built in memory, small on the wire and huge in what they declare: PNG headers with absurd
dimensions, zip bombs, model files whose architecture or array headers lie, CSVs and texts sized to hurt.
Used by tests/test_hostile_inputs.py and bench/inputs.py. Nothing here allocates what the files declare:
pixel data are compressed a megabyte of rows at a time."""
import io
import json
import struct
import zipfile
import zlib

import numpy as np

PAYLOAD = "a`**B**` [Log in again](http://evil.example/login) ![x](http://evil.example/t.png) <b>h</b> $x^2$ :red[r]"
MARKER = "evil.example"     # what must never reach an element that renders Markdown


def _chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_declaring(width, height, colour_type=0, bit_depth=8, ink_row=None):
    """A valid PNG of width×height pixels (grey by default; 6 = RGBA) whose rows are all zero except row
    ``ink_row`` (all 255), compressed a chunk of rows at a time: a 1×25,000,000 picture is ~25 KB."""
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour_type]
    row_bytes = 1 + (width * channels * bit_depth + 7) // 8
    zero = bytes(row_bytes)
    comp, out = zlib.compressobj(9), []
    rows_per_chunk = max(1, (1 << 20) // row_bytes)
    done = 0
    while done < height:
        n = min(rows_per_chunk, height - done)
        block = bytearray(zero * n)
        if ink_row is not None and done <= ink_row < done + n:
            i = (ink_row - done) * row_bytes
            block[i + 1:i + row_bytes] = b"\xff" * (row_bytes - 1)
        out.append(comp.compress(bytes(block)))
        done += n
    out.append(comp.flush())
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", b"".join(out)) + _chunk(b"IEND", b"")


def png_header_only(width, height):
    """A PNG signature and IHDR declaring width×height grey pixels, and nothing else (a truncated file)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr)


def noisy_png(width, height, mode="RGBA", seed=0, fmt="PNG", quality=95):
    """A real picture that compresses badly (random pixels over a dark square): the costliest to decode."""
    from PIL import Image
    rng = np.random.default_rng(seed)
    channels = {"L": 1, "RGB": 3, "RGBA": 4}[mode]
    a = rng.integers(0, 256, (height, width, channels), dtype=np.uint8)
    if mode == "RGBA":
        a[..., 3] = 255
    a[height // 4: 3 * height // 4, width // 4: 3 * width // 4, :3] = 0
    buf = io.BytesIO()
    Image.fromarray(a[..., 0] if channels == 1 else a, mode).save(buf, format=fmt, **({"quality": quality} if fmt == "JPEG" else {}))
    return buf.getvalue()


def flat_jpeg(width, height):
    """A big, flat JPEG (a photo-sized grey page with a dark bar): small on the wire."""
    from PIL import Image
    a = np.full((height, width), 230, np.uint8)
    a[height // 4: 3 * height // 4, width // 2 - width // 20: width // 2 + width // 20] = 20
    buf = io.BytesIO()
    Image.fromarray(a, "L").save(buf, format="JPEG", quality=80)
    return buf.getvalue()


# --- model files ---------------------------------------------------------------------------------------
def npy_bytes(array):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.asarray(array), allow_pickle=False)
    return buf.getvalue()


def npz(members, compression=zipfile.ZIP_STORED):
    """A zip of name → bytes (or array), as np.savez writes it but with any content."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, content in members.items():
            z.writestr(name, content if isinstance(content, bytes) else npy_bytes(content))
    return buf.getvalue()


def arch(layers):
    return np.array(json.dumps(layers))


def model_file(layers, arrays):
    return npz({"__architecture__.npy": arch(layers), **{f"{k}.npy": v for k, v in arrays.items()}})


def zip_bomb(unpacked_mb=200, compression=zipfile.ZIP_DEFLATED):
    """A model file whose one array unpacks to ``unpacked_mb`` MB of zeros from a few hundred KB."""
    n = int(unpacked_mb * (1 << 20)) // 8
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (n,)})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        z.writestr("__architecture__.npy", npy_bytes(arch([{"type": "Dense", "config": {"in_features": n, "out_features": 1}}])))
        with z.open("p0.W.npy", "w", force_zip64=True) as f:
            f.write(header.getvalue())
            left = 8 * n
            while left:
                f.write(bytes(min(left, 1 << 20)))
                left -= min(left, 1 << 20)
    return buf.getvalue()


def lying_npy(shape=(100_000, 100_000)):
    """A .npy whose header declares ``shape`` (80 GB of float64) over 16 bytes of data."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": shape})
    return header.getvalue() + bytes(16)


def huge_architecture(n=8192):
    """A 600-byte model file declaring Dense(n, n): its arrays are tiny, its architecture is not."""
    return model_file([{"type": "Dense", "config": {"in_features": n, "out_features": n}}],
                      {"p0.W": np.zeros((2, 2)), "p0.b": np.zeros(2)})


def layerless(kind):
    """A well-formed model file with no Dense layer: only Tanh, only Flatten, or no layer at all."""
    layers = {"tanh": [{"type": "Tanh", "config": {}}], "flatten": [{"type": "Flatten", "config": {}}],
              "empty": []}[kind]
    return model_file(layers, {})


# --- points and texts -------------------------------------------------------------------------------------
def csv_labels(*labels):
    return "".join(f"{i % 5 - 2},{i % 3 - 1},{lab}\n" for i, lab in enumerate(labels)).encode()


def many_distinct_characters(n=60_000, length=416_000):
    """Text using ``n`` distinct characters (CJK and beyond), ``length`` characters long."""
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + n + 2048) if not 0xD800 <= c < 0xE000][:n]   # no surrogates
    return "".join(chars[i % n] for i in range(length))
