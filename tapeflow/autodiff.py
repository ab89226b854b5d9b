"""The reverse walk: a tape's records, last to first, into a dict of gradients.

Execution order is already topological, so backward is a plain loop (no recursion, no limit
on chain length). This is the one place that un-broadcasts: a VJP may return a gradient of the
broadcast shape, and it is summed back to its input's shape here.
"""
from tapeflow.ops import elementwise, reduction
from tapeflow.variable import _read_vjp


_YES, _NO = (True,), (False,)  # a one-input record's ``needs``


def backward(records, seeds, tracked):
    """Gradients of the seeded tensors w.r.t. everything the tape tracked.

    ``seeds`` maps id(target) -> output gradient; ``tracked`` is the tape's set of ids that
    depend on a watched source (an input not in it needs no gradient). Returns a dict
    id -> gradient Tensor.
    """
    grads = dict(seeds)
    get = grads.get
    for rec in reversed(records):
        out = rec.out
        if type(out) is tuple:
            gs = [get(id(o)) for o in out]
            if all(g is None for g in gs):
                continue
        else:
            gs = get(id(out))
            if gs is None:
                continue
        inputs = rec.inputs
        if len(inputs) == 1:  # one input (reads, unary ops): no lists, no zip
            x = inputs[0]
            k = id(x)
            if k not in tracked:
                rec.needs = _NO
                rec.vjp(rec, gs)  # still called: a custom gradient may have side effects
                continue
            rec.needs = _YES
            if rec.vjp is _read_vjp:  # a variable read passes its gradient through as is
                g = gs
            else:
                res = rec.vjp(rec, gs)
                g = res[0] if res else None
                if g is None:
                    continue
            if g._value.shape != x._value.shape:
                g = reduction.sum_to(g, x._value.shape)
            prev = get(k)
            grads[k] = g if prev is None else elementwise.add(prev, g)
            continue
        if len(inputs) == 2:  # binary ops: no comprehension
            needs = rec.needs = (id(inputs[0]) in tracked, id(inputs[1]) in tracked)
        else:
            needs = rec.needs = tuple([id(x) in tracked for x in inputs])
        for x, g, need in zip(inputs, rec.vjp(rec, gs), needs):
            if g is None or not need:
                continue
            if g._value.shape != x._value.shape:
                g = reduction.sum_to(g, x._value.shape)
            k = id(x)
            prev = get(k)
            grads[k] = g if prev is None else elementwise.add(prev, g)
    return grads
