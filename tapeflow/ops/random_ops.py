"""Random number kernels and TensorFlow's seed rules.

TF's rule: with neither a global nor an op seed, draws are fresh each run. ``set_seed(g)``
makes the sequence of draws repeatable: each op call without its own seed takes the next op
seed from a counter that ``set_seed`` resets. An op seed alone pairs with a default global
seed. Each (global, op) pair owns one stream, so two calls with the same seeds still differ,
and re-running after ``set_seed`` repeats them. The numbers differ from TF's; the
distributions and the repeatability match.
"""
from tapeflow.backend import xp

DEFAULT_GLOBAL_SEED = 87654321
_global_seed = None
_op_counter = 0
_streams = {}
_fresh = None  # the unseeded stream, made on first use (keeps numpy.random out of import)


def set_seed(seed):
    global _global_seed, _op_counter
    _global_seed = None if seed is None else int(seed)
    _op_counter = 0
    _streams.clear()


def get_global_seed():
    return _global_seed


def stream(seed=None):
    """The backend generator an op with op seed ``seed`` draws from."""
    global _op_counter, _fresh
    if _global_seed is None and seed is None:
        if _fresh is None:
            _fresh = xp.random.default_rng()
        return _fresh
    g = DEFAULT_GLOBAL_SEED if _global_seed is None else _global_seed
    if seed is None:
        _op_counter += 1
        op = _op_counter
    else:
        op = int(seed)
    key = (g, op)
    gen = _streams.get(key)
    if gen is None:
        gen = _streams[key] = generator_from((g, op))
    return gen


def generator_from(key):
    """A counter-based generator (Philox) keyed by integers: same key, same stream."""
    words = [int(k) & 0xFFFFFFFFFFFFFFFF for k in key]
    return xp.random.Generator(xp.random.Philox(key=words[:2] if len(words) > 1 else words))


def stateless(seed):
    """The generator for a stateless op's ``seed=[a, b]``."""
    s = [int(v) for v in xp.asarray(seed).reshape(-1).tolist()]
    if len(s) != 2:
        raise ValueError(f"seed must be a shape [2] tensor, got {len(s)} values.")
    return generator_from(s)


def normal(gen, shape, np_dtype):
    return gen.standard_normal(shape).astype(np_dtype)


def uniform(gen, shape, np_dtype):
    return gen.random(shape).astype(np_dtype)


def uniform_int(gen, shape, lo, hi, np_dtype):
    return gen.integers(lo, hi, size=shape, dtype=np_dtype)


def truncated_normal(gen, shape, np_dtype):
    """Standard normal draws, redrawn until each lies within two standard deviations."""
    out = gen.standard_normal(shape)
    bad = xp.abs(out) > 2
    while bad.any():
        out[bad] = gen.standard_normal(int(bad.sum()))
        bad = xp.abs(out) > 2
    return out.astype(np_dtype)


def get_state():
    """Every stream's position as plain data (for checkpoints that resume training exactly)."""
    return {"global_seed": _global_seed, "op_counter": _op_counter,
            "streams": [[list(key), gen.bit_generator.state] for key, gen in _streams.items()],
            "fresh": None if _fresh is None else _fresh.bit_generator.state}


def set_state(state):
    """Restore what ``get_state`` returned."""
    global _global_seed, _op_counter, _fresh
    _global_seed, _op_counter = state["global_seed"], state["op_counter"]
    _streams.clear()
    for key, gen_state in state["streams"]:
        gen = generator_from(tuple(key))
        gen.bit_generator.state = gen_state
        _streams[tuple(key)] = gen
    if state["fresh"] is not None:
        _fresh = xp.random.default_rng()
        _fresh.bit_generator.state = state["fresh"]
