"""One structural comparison for the JSON goldens recorded from real Keras: dicts key for key,
lists item for item, floats within a tolerance (NaN equals NaN), anything else equal (and of
the same type unless ``strict_types`` is off)."""
import math


def same(got, want, path="", rtol=1e-5, atol=1e-6, strict_types=True):
    if isinstance(want, dict):
        assert isinstance(got, dict) and set(got) == set(want), \
            f"{path}: keys {sorted(got or {})} != {sorted(want)}"
        for k in want:
            same(got[k], want[k], f"{path}.{k}", rtol, atol, strict_types)
    elif isinstance(want, list):
        assert isinstance(got, (list, tuple)) and len(got) == len(want), f"{path}: {got} != {want}"
        for i, (g, w) in enumerate(zip(got, want)):
            same(g, w, f"{path}[{i}]", rtol, atol, strict_types)
    elif isinstance(want, float) and isinstance(got, (int, float)) and not isinstance(got, bool):
        if math.isnan(want):
            assert math.isnan(got), f"{path}: {got} != nan"
        else:
            assert math.isclose(got, want, rel_tol=rtol, abs_tol=atol), f"{path}: {got} != {want}"
    else:
        assert got == want and (not strict_types or type(got) is type(want)), \
            f"{path}: {got!r} != {want!r}"
