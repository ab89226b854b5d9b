"""model.summary(): Keras 3's table, exactly as it prints when stdout is not a terminal.

Keras draws the table with `rich` (heavy-head box, a rule between rows). The column widths
come from Keras's positions and rich's width reduction, redone here; text wraps inside cells
at spaces. Where stdout cannot encode the box characters, rich's ASCII box is used instead.
"""
import re
import shutil
import sys

import numpy as np

_HEAVY = {"top": "┏━┳┓", "head": "┃┃┃", "head_row": "┡━╇┩", "row": "├─┼┤", "mid": "│││",
          "bottom": "└─┴┘"}
_ASCII = {"top": "+--+", "head": "|||", "head_row": "|-+|", "row": "|-+|", "mid": "|||",
          "bottom": "+--+"}


def _ratio_reduce(total, ratios, maximums, values):
    """rich's ratio_reduce: take ``total`` away from ``values`` in proportion to ``ratios``."""
    ratios = [r if m else 0 for r, m in zip(ratios, maximums)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    remaining, out = total, []
    for ratio, maximum, value in zip(ratios, maximums, values):
        if ratio and total_ratio > 0:
            distributed = min(maximum, round(ratio * remaining / total_ratio))
            out.append(value - distributed)
            remaining -= distributed
            total_ratio -= ratio
        else:
            out.append(value)
    return out


def column_widths(line_length, positions):
    """Content widths of the columns (rich's layout of Keras's fixed-width columns)."""
    widths, current = [], 0
    for pos in positions:
        width = int(pos * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(width)
        current += width
    padded = [w + 2 for w in widths]
    max_width = line_length - (len(widths) + 1)
    if sum(padded) > max_width:
        padded = _ratio_reduce(sum(padded) - max_width, [1] * len(padded), padded, padded)
    return [w - 2 for w in padded]


_WORD = re.compile(r"\s*\S+\s*")  # rich's words: a run of non-space with the spaces around it


def _wrap(text, width):
    """rich's word wrap, as Keras's table cells use it: break before a word that does not fit
    (leading spaces stay with the first word, so a nested layer's indent survives), trailing
    spaces dropped; a line still too long is cut with '…' (ellipsis overflow)."""
    lines = []
    for paragraph in str(text).split("\n"):
        breaks, offset = [], 0
        for match in _WORD.finditer(paragraph):
            start, word = match.start(), match.group(0)
            if width - offset >= len(word.rstrip()):
                offset += len(word)
            else:
                if start:
                    breaks.append(start)
                offset = len(word)
        bounds = [0] + breaks + [len(paragraph)]
        for a, b in zip(bounds, bounds[1:]):
            line = paragraph[a:b].rstrip()
            lines.append(line if len(line) <= width else line[:width - 1] + "…")
    return lines or [""]


def _render_row(cells, widths, aligns, box, kind):
    wrapped = [_wrap(c, w) for c, w in zip(cells, widths)]
    height = max(len(w) for w in wrapped)
    vertical = box[kind][1]
    left, right = box[kind][0], box[kind][2]
    out = []
    for i in range(height):
        parts = []
        for lines, w, align in zip(wrapped, widths, aligns):
            text = lines[i] if i < len(lines) else ""
            if align == "right":
                text = text.rjust(w)
            elif align == "center":
                text = (" " * ((w - len(text)) // 2) + text).ljust(w)
            else:
                text = text.ljust(w)
            parts.append(" " + text + " ")
        out.append(left + vertical.join(parts) + right)
    return out


def _rule(widths, chars):
    left, fill, cross, right = chars
    return left + cross.join(fill * (w + 2) for w in widths) + right


def _format_shape(shape):
    return "(" + ", ".join(str(d) for d in shape) + ")"


def _layer_shape(layer):
    nodes = layer._inbound_nodes
    if nodes:
        outputs = nodes[-1].output_tensors
        shapes = [_format_shape(t.shape) for t in outputs]
        return shapes[0] if len(shapes) == 1 else str(shapes).replace("'", "")
    if layer._build_shapes is None:
        return "?"
    try:
        shape = layer.compute_output_shape(layer._build_shapes)
    except Exception:  # noqa: BLE001 - a layer that cannot say prints '?', as in Keras
        return "?"
    if isinstance(shape, (list, dict)) and shape and not isinstance(shape, tuple):
        items = shape.values() if isinstance(shape, dict) else shape
        if all(isinstance(s, (tuple, list)) for s in items):
            return str([_format_shape(s) for s in items]).replace("'", "")
    return _format_shape(shape)


def _connections(layer, relevant):
    out = ""
    for node in layer._inbound_nodes:
        if relevant and id(node) not in relevant:
            continue
        for kt in node.input_tensors:
            h = kt._keras_history
            if out:
                out += ", "
            out += f"{h.operation.name}[{h.node_index}][{h.tensor_index}]"
    return out or "-"


def _count(weights):
    return int(sum(int(np.prod(tuple(w.shape))) for w in weights))


def _memory(weights):
    return sum(int(np.prod(tuple(w.shape))) * np.dtype(w.dtype.name).itemsize for w in weights)


def readable_memory_size(size):
    for unit in ["B", "KB", "MB", "GB", "TB", "PB"]:
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _sequential_like(model):
    from tapeflow.keras.models.functional import Functional
    if not isinstance(model, Functional):
        return True, model.layers
    nodes = []
    for depth_nodes in model._nodes_by_depth.values():
        if len(depth_nodes) > 1 or (len(depth_nodes) == 1 and
                                    len(depth_nodes[0].input_tensors) > 1):
            return False, model._operations
        nodes += depth_nodes
    node_ids = {id(n) for n in nodes}
    for layer in model.layers:
        if sum(1 for n in layer._inbound_nodes if id(n) in node_ids) > 1:
            return False, model._operations
    return True, model._operations


def layer_index_bounds(layers, layer_range=None):
    """Keras's ``layer_range``: [start, stop) from two names or regex patterns (the first
    layer matching the first, through the last matching the second)."""
    if layer_range is None:
        return 0, len(layers)
    if len(layer_range) != 2:
        raise ValueError(f"layer_range must be a list or tuple of length 2. Received: "
                         f"layer_range = {layer_range} of length {len(layer_range)}")
    if not isinstance(layer_range[0], str) or not isinstance(layer_range[1], str):
        raise ValueError(f"layer_range should contain string type only. Received: "
                         f"{layer_range}")
    lower = [i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    upper = [i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not lower or not upper:
        raise ValueError(f"Passed layer_names do not match the layer names in the model. "
                         f"Received: {layer_range}")
    if min(lower) > max(upper):
        return min(upper), max(lower) + 1
    return min(lower), max(upper) + 1


def summary_text(model, line_length=None, positions=None, show_trainable=False, box=None,
                 layer_range=None, expand_nested=False):
    """The summary as a string (what ``summary()`` prints)."""
    sequential_like, layers = _sequential_like(model)
    start, stop = layer_index_bounds(layers, layer_range)
    layers = layers[start:stop]
    if sequential_like:
        default, positions = 88, positions or [0.45, 0.80, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #"]
        aligns = ["left", "left", "right"]
        relevant = None
    else:
        default, positions = 108, positions or [0.3, 0.56, 0.74, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        aligns = ["left", "left", "right", "left"]
        relevant = {id(n) for v in model._nodes_by_depth.values() for n in v}
    if show_trainable:
        default += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        aligns.append("center")
    default = min(default, shutil.get_terminal_size().columns - 4)
    line_length = line_length or default
    widths = column_widths(line_length, positions)
    box = box or _HEAVY
    lines = [f'Model: "{model.name}"', _rule(widths, box["top"])]
    header = [h if len(h) <= w else h[:w - 1] + "…" for h, w in zip(header, widths)]
    lines += _render_row(header, widths, aligns, box, "head")
    lines.append(_rule(widths, box["head_row"]))
    def fields_of(layer, level):
        """A layer's row; nested models' layers follow, indented, with ``expand_nested``."""
        prefix = "   " * level + "└ " if level else ""
        params = f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"
        fields = [f"{prefix}{layer.name} ({type(layer).__name__})", _layer_shape(layer), params]
        if not sequential_like:
            fields.append(_connections(layer, relevant))
        if show_trainable:
            fields.append(("Y" if layer.trainable else "N") if layer.weights else "-")
        out = [fields]
        if expand_nested and getattr(layer, "layers", None):
            for inner in layer.layers:
                out += fields_of(inner, level + 1)
        return out

    rows = [_render_row(fields, widths, aligns, box, "mid")
            for layer in layers for fields in fields_of(layer, 0)]
    for i, row in enumerate(rows):
        if i:
            lines.append(_rule(widths, box["row"]))
        lines += row
    lines.append(_rule(widths, box["bottom"]))
    # rich crops a table wider than the console (COLUMNS, else 80 when not a terminal)
    console = shutil.get_terminal_size((80, 24)).columns
    lines[1:] = [line[:console] for line in lines[1:]]
    trainable, non_trainable = model.trainable_weights, model.non_trainable_weights
    t_count, n_count = _count(trainable), _count(non_trainable)
    t_mem, n_mem = _memory(trainable), _memory(non_trainable)
    opt = getattr(model, "optimizer", None)
    o_vars = list(getattr(opt, "variables", []) or []) \
        if getattr(model, "compiled", False) and opt is not None and \
        getattr(opt, "built", False) else None
    o_count = _count(o_vars) if o_vars is not None else 0
    o_mem = _memory(o_vars) if o_vars is not None else 0
    total, total_mem = t_count + n_count + o_count, t_mem + n_mem + o_mem
    lines.append(f" Total params: {total:,} ({readable_memory_size(total_mem)})")
    lines.append(f" Trainable params: {t_count:,} ({readable_memory_size(t_mem)})")
    lines.append(f" Non-trainable params: {n_count:,} ({readable_memory_size(n_mem)})")
    if o_vars is not None:
        lines.append(f" Optimizer params: {o_count:,} ({readable_memory_size(o_mem)})")
    return "\n".join(lines) + "\n"


def _can_encode(stream, text):
    encoding = getattr(stream, "encoding", None)
    if encoding is None:  # an in-memory stream (StringIO) takes any text
        return True
    try:
        text.encode(encoding)
        return True
    except (UnicodeEncodeError, LookupError):
        return False


def print_summary(model, line_length=None, positions=None, print_fn=None, show_trainable=False,
                  layer_range=None, expand_nested=False):
    box = _HEAVY if print_fn is not None or _can_encode(sys.stdout, "┏━┃│") else _ASCII
    text = summary_text(model, line_length, positions, show_trainable, box, layer_range,
                        expand_nested)
    if print_fn is not None:
        print_fn(text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
