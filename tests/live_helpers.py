"""AppTest helpers for the live views (issue #17): what a fixed-height box of a live view holds — images while
playing (with their alt text), Plotly charts when paused — and its height."""


def block(at, key):
    """The container with ``key`` (``st.container(key=...)``) in the AppTest tree, or None."""
    def walk(node):
        for child in getattr(node, "children", {}).values():
            proto = getattr(child, "proto", None)
            if proto is not None and str(getattr(proto, "id", "")).endswith(f"-{key}"):
                return child
            found = walk(child)
            if found is not None:
                return found
        return None
    return walk(at._tree)


def box(at, key):
    """(pixel height, [(kind, text)]) of the box ``key``: kind "image" with its alt text, or "plotly" with the
    chart's key, for every picture inside it."""
    b = block(at, key)
    assert b is not None, f"no box {key}"
    found = []

    def walk(node):
        for child in getattr(node, "children", {}).values():
            kind = getattr(child, "type", None)
            proto = getattr(child, "proto", None)
            if kind == "imgs" or (proto is not None and hasattr(proto, "imgs")):
                found.extend(("image", img.alt) for img in proto.imgs)
            elif kind == "plotly_chart":
                found.append(("plotly", child.proto.id))
            walk(child)
    walk(b)
    return b.proto.height_config.pixel_height, found
