"""The reverse walk: a tape's records, last to first, into a dict of gradients.

Execution order is already topological, so backward is a plain loop (no recursion, no limit
on chain length). This is the one place that un-broadcasts: a VJP may return a gradient of the
broadcast shape, and it is summed back to its input's shape here.
"""
from tapeflow.backend import xp
from tapeflow.ops import _primitive as P
from tapeflow.ops import elementwise, manipulation, reduction


def unbroadcast(g, shape):
    """Sum ``g`` down to ``shape``: over leading axes and axes where ``shape`` has 1."""
    gshape = g._value.shape
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    axes = list(range(lead)) + [lead + i for i, d in enumerate(shape)
                                if d == 1 and gshape[lead + i] != 1]
    if axes:
        g = reduction.reduce_sum(g, axes, keepdims=True)
    return manipulation.reshape(g, shape)


def reachable(records, source_ids):
    """The records on a path from a source, and every id that depends on a source."""
    reach = set(source_ids)
    live = []
    for rec in records:
        for x in rec.inputs:
            if id(x) in reach:
                live.append(rec)
                for o in rec.outputs:
                    reach.add(id(o))
                break
    return live, reach


def backward(records, seeds, source_ids):
    """Gradients of the seeded tensors w.r.t. everything on a path to ``source_ids``.

    ``seeds`` maps id(target) -> output gradient. Returns a dict id -> gradient Tensor.
    """
    live, reach = reachable(records, source_ids)
    grads = dict(seeds)
    for rec in reversed(live):
        out = rec.out
        if type(out) is tuple:
            gs = [grads.get(id(o)) for o in out]
            if all(g is None for g in gs):
                continue
        else:
            gs = grads.get(id(out))
            if gs is None:
                continue
        inputs = rec.inputs
        needs = rec.needs = [id(x) in reach for x in inputs]
        in_grads = rec.vjp(rec, gs)
        for x, g, need in zip(inputs, in_grads, needs):
            if g is None or not need:
                continue
            if g._value.shape != x._value.shape:
                g = unbroadcast(g, x._value.shape)
            k = id(x)
            prev = grads.get(k)
            grads[k] = g if prev is None else elementwise.add(prev, g)
    return grads


def ones_like(t):
    return P.const(xp.ones(t._value.shape, t._value.dtype))
