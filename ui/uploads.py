"""Uploads, the same way in every lesson: each file is read once (a rerun does not decode it again), its size
is checked before it is read and a picture's pixels before they are decoded (issue 16), a bad file gets a
plain-words message (shown as text: it may name what the file holds) and leaves the learner's last good
input in place."""
import io

import numpy as np
import streamlit as st
from PIL import Image, UnidentifiedImageError

from lessons import cnn as cl
from ui.guards import refusal

MAX_UPLOAD_MB = 5            # the server's own limit (.streamlit/config.toml) is the same
MB = 1024 * 1024
IMAGE_SIZE = 8               # the lessons' images are 8×8, like the digits
IMAGE_HELP = (f"PNG or JPEG, at most {MAX_UPLOAD_MB} MB: a PNG up to {cl.MAX_PIXELS / 1e6:g} million pixels (about "
              f"2000×2000), a JPEG up to {cl.MAX_JPEG_PIXELS / 1e6:g} million (a phone photo), at most "
              f"{cl.MAX_ASPECT} times as long as wide. It is reduced to {cl.KEEP_SIDE} pixels a side at once, then to "
              f"{IMAGE_SIZE}×{IMAGE_SIZE}.")


def once(file, key, parse, max_mb=MAX_UPLOAD_MB):
    """``parse(bytes)`` for a new upload (kept in state under ``key`` with the file's id), or what it gave the
    last time for the same file. Returns (value, error): ``error`` is the plain-words reason ``parse`` raised
    (a ``ValueError``) and ``value`` is then the last good value of this uploader, or None. A file over
    ``max_mb`` is refused by its size, before its bytes are touched."""
    if file is None:
        return None, None
    cache = st.session_state.get(key)
    if not (cache and cache["id"] == file.file_id):
        try:
            if file.size > max_mb * MB:
                raise ValueError(f"The file is {file.size / MB:.1f} MB; the limit is {max_mb:g} MB.")
            value, error = parse(file.getvalue()), None
        except ValueError as e:
            value, error = None, str(e)[:500]
        cache = st.session_state[key] = {"id": file.file_id, "value": value, "error": error}
        if value is not None:
            st.session_state[f"{key}_good"] = value
    if cache["value"] is not None:
        return cache["value"], None
    return st.session_state.get(f"{key}_good"), cache["error"]


def decode_image(data):
    """The bytes of an uploaded picture → a uint8 array (grey, RGB or RGBA) at most KEEP_SIDE pixels a
    side. Raises ValueError in plain words. The header is read first (Pillow opens lazily): format, size
    and aspect ratio are checked before a pixel is decoded, a JPEG is decoded at the smallest fraction of
    its size that still gives KEEP_SIDE pixels (libjpeg's draft mode), and the decoded picture is reduced
    at once, so nothing larger than KEEP_SIDE² is ever kept."""
    if len(data) > MAX_UPLOAD_MB * MB:
        raise ValueError(f"The file is {len(data) / MB:.1f} MB; the limit is {MAX_UPLOAD_MB} MB. Try a smaller picture.")
    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.format not in ("PNG", "JPEG"):
                raise ValueError(f"This is a {im.format} image; please upload a PNG or JPEG picture.")
            header = im.size
            cl.check_image_size(*header, fmt=im.format)
            if im.format == "JPEG":
                im.draft(im.mode if im.mode in ("L", "RGB") else None, (cl.KEEP_SIDE, cl.KEEP_SIDE))
            cl.check_image_size(*header, fmt=im.format, decoded=im.size)
            im.load()
            mode = "RGBA" if "A" in im.getbands() or im.mode == "P" else ("L" if len(im.getbands()) == 1 else "RGB")
            small = im.convert(mode)
            small.thumbnail((cl.KEEP_SIDE, cl.KEEP_SIDE), Image.Resampling.BOX, reducing_gap=None)
            return np.asarray(small)
    except Image.DecompressionBombError:
        raise ValueError("This picture is too large to open safely. Try a smaller picture.") from None
    except UnidentifiedImageError:
        raise ValueError("This is not an image that can be read: please upload a PNG or JPEG picture.") from None
    except (OSError, SyntaxError, EOFError, MemoryError):
        raise ValueError("This picture looks damaged (truncated or corrupt) and cannot be read.") from None


def image_uploader(label, key):
    """A PNG/JPEG uploader whose picture is prepared as the lessons' 8×8 input (``lessons.cnn.prepare_image``);
    returns (prepared, error). A bad file shows its message and keeps the last good picture."""
    up = st.file_uploader(f"{label} (PNG or JPEG, colour or grey)", type=["png", "jpg", "jpeg"], key=key,
                          max_upload_size=MAX_UPLOAD_MB, help=IMAGE_HELP)
    prepared, error = once(up, f"{key}_img", lambda data: cl.prepare_image(decode_image(data), IMAGE_SIZE))
    if error:
        refusal("This picture was not used" + ("; the last good one stays." if prepared is not None else "."), error)
    elif prepared is not None and prepared["blank"]:
        st.info("No ink found: this picture looks blank (one colour all over), so the input is all zeros.")
    return prepared, error
