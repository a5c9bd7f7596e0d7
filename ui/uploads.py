"""Uploads, the same way in every lesson: each file is read once (a rerun does not decode it again), a bad
file gets a plain-words message and leaves the learner's last good input in place."""
import io

import numpy as np
import streamlit as st
from PIL import Image, UnidentifiedImageError

from lessons import cnn as cl

MAX_UPLOAD_MB = 5            # the server's own limit (.streamlit/config.toml) is the same
MAX_PIXELS = 25_000_000
IMAGE_SIZE = 8               # the lessons' images are 8×8, like the digits


def once(file, key, parse):
    """``parse(bytes)`` for a new upload (kept in state under ``key`` with the file's id), or what it gave the
    last time for the same file. Returns (value, error): ``error`` is the plain-words reason ``parse`` raised
    (a ``ValueError``) and ``value`` is then the last good value of this uploader, or None."""
    if file is None:
        return None, None
    cache = st.session_state.get(key)
    if not (cache and cache["id"] == file.file_id):
        try:
            value, error = parse(file.getvalue()), None
        except ValueError as e:
            value, error = None, str(e)
        cache = st.session_state[key] = {"id": file.file_id, "value": value, "error": error}
        if value is not None:
            st.session_state[f"{key}_good"] = value
    if cache["value"] is not None:
        return cache["value"], None
    return st.session_state.get(f"{key}_good"), cache["error"]


def decode_image(data, name):
    """The bytes of an uploaded picture as an image array; a ``ValueError`` in plain words if they cannot be one."""
    if len(data) > MAX_UPLOAD_MB * 1024 * 1024:
        raise ValueError(f"“{name}” is {len(data) / 1e6:.1f} MB; the limit is {MAX_UPLOAD_MB} MB. Try a smaller picture.")
    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.format not in ("PNG", "JPEG"):
                raise ValueError(f"“{name}” is a {im.format} image; please upload a PNG or JPEG.")
            if im.width * im.height > MAX_PIXELS:
                raise ValueError(f"“{name}” has {im.width}×{im.height} pixels, over the limit of "
                                 f"{MAX_PIXELS // 1_000_000} million. Try a smaller picture.")
            im.load()
            mode = "RGBA" if "A" in im.getbands() or im.mode == "P" else ("L" if len(im.getbands()) == 1 else "RGB")
            return np.asarray(im.convert(mode))
    except Image.DecompressionBombError:
        raise ValueError(f"“{name}” is too large an image to open safely. Try a smaller picture.") from None
    except UnidentifiedImageError:
        raise ValueError(f"“{name}” is not an image that can be read: please upload a PNG or JPEG picture.") from None
    except (OSError, SyntaxError) as e:
        raise ValueError(f"“{name}” looks damaged (truncated or corrupt) and cannot be read ({e}).") from None


def image_uploader(label, key):
    """A PNG/JPEG uploader whose picture is prepared as the lessons' 8×8 input (``lessons.cnn.prepare_image``);
    returns (prepared, error). A bad file shows its message and keeps the last good picture."""
    up = st.file_uploader(f"{label} (PNG or JPEG, any size, colour or grey)", type=["png", "jpg", "jpeg"], key=key)

    def parse(data):
        array = decode_image(data, up.name)
        try:
            return cl.prepare_image(array, IMAGE_SIZE)
        except ValueError as e:
            raise ValueError(f"“{up.name}” cannot be used: {e}.") from None

    prepared, error = once(up, f"{key}_img", parse)
    if error:
        st.error(error)
    elif prepared is not None and prepared["blank"]:
        st.info("No ink found: this picture looks blank (one colour all over), so the input is all zeros.")
    return prepared, error
