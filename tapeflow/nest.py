"""tf.nest: flatten and rebuild nested structures of lists, tuples, dicts and namedtuples.

Dicts flatten in sorted-key order, as TensorFlow's.
"""


_NESTED = (list, tuple, dict)


def _flat(structure):
    """A plain list or tuple with no nested structure inside (checked without a generator)."""
    if type(structure) is not list and type(structure) is not tuple:
        return False
    for s in structure:
        if isinstance(s, _NESTED):
            return False
    return True


def is_nested(structure):
    return isinstance(structure, (list, tuple, dict))


is_sequence = is_nested


def _children(structure):
    if isinstance(structure, dict):
        return [structure[k] for k in sorted(structure, key=_sort_key)]
    return list(structure)


def _sort_key(k):
    return (type(k).__name__, k) if not isinstance(k, (int, float)) else ("", k)


def flatten(structure, expand_composites=False):
    """The leaves of ``structure`` in order, as a list (a leaf alone gives ``[leaf]``)."""
    if not isinstance(structure, _NESTED):
        return [structure]
    if _flat(structure):
        return list(structure)  # the common case (a list of tensors), without the walk
    out, stack = [], [structure]
    while stack:
        s = stack.pop()
        if is_nested(s):
            stack.extend(reversed(_children(s)))
        else:
            out.append(s)
    return out


def _rebuild(structure, children):
    if isinstance(structure, dict):
        keys = sorted(structure, key=_sort_key)
        return type(structure)((k, v) for k, v in zip(keys, children)) \
            if type(structure) is not dict else {k: v for k, v in zip(keys, children)}
    if isinstance(structure, tuple) and hasattr(structure, "_fields"):
        return type(structure)(*children)
    return type(structure)(children)


def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    """Put the leaves of ``flat_sequence`` back into the shape of ``structure``."""
    flat = list(flat_sequence)
    if not isinstance(structure, (list, tuple, dict)):
        if len(flat) != 1:
            raise ValueError(f"Could not pack sequence. Structure had 1 atom, but "
                             f"flat_sequence had {len(flat)} items.")
        return flat[0]
    if len(structure) == len(flat) and _flat(structure):
        return flat if type(structure) is list else tuple(flat)
    pos = [0]

    def build(s):
        if is_nested(s):
            return _rebuild(s, [build(c) for c in _children(s)])
        v = flat[pos[0]]
        pos[0] += 1
        return v
    n = len(flatten(structure))
    if n != len(flat):
        raise ValueError(f"Could not pack sequence. Structure had {n} atoms, but "
                         f"flat_sequence had {len(flat)} items.")
    return build(structure)


def map_structure(func, *structure, **kwargs):
    """Apply ``func`` leaf by leaf over one or more structures of the same shape."""
    if not structure:
        raise ValueError("map_structure needs at least one structure.")
    for s in structure[1:]:
        assert_same_structure(structure[0], s)
    flats = [flatten(s) for s in structure]
    return pack_sequence_as(structure[0], [func(*leaves) for leaves in zip(*flats)])


def assert_same_structure(nest1, nest2, check_types=True, expand_composites=False):
    if is_nested(nest1) != is_nested(nest2):
        raise ValueError(f"The two structures don't have the same nested structure.\n\n"
                         f"First structure: {nest1!r}\n\nSecond structure: {nest2!r}")
    if is_nested(nest1):
        c1, c2 = _children(nest1), _children(nest2)
        if len(c1) != len(c2) or (check_types and type(nest1) is not type(nest2)):
            raise ValueError(f"The two structures don't have the same nested structure.\n\n"
                             f"First structure: {nest1!r}\n\nSecond structure: {nest2!r}")
        for a, b in zip(c1, c2):
            assert_same_structure(a, b, check_types)
