"""keras.utils.plot_model / model_to_dot: a model's layer graph through pydot and graphviz.

Neither is a tapeflow dependency. Without them ``plot_model`` behaves as Keras 3's: in a
notebook (IPython loaded) it prints how to install them and returns; elsewhere it raises
ImportError with the same message. With them, the graph has one node per layer ("name
(Class)", optionally the output shape, dtype and trainability) and one edge per connection,
laid out top to bottom; the labels are plain text rather than Keras's HTML tables.
"""
import os
import sys

from tapeflow.keras.layers.input_layer import KerasTensor


def _pydot():
    try:
        import pydot
    except ImportError:
        return None
    return pydot


def check_pydot():
    """True if pydot imports."""
    return _pydot() is not None


def check_graphviz():
    """True if pydot imports and graphviz can render a blank graph."""
    pydot = _pydot()
    if pydot is None:
        return False
    try:
        pydot.Dot.create(pydot.Dot())
        return True
    except (OSError, getattr(pydot, "PydotException", OSError)):
        return False


def _missing(message):
    if "IPython.core.magics.namespace" in sys.modules:  # a notebook: say so and go on (Keras)
        print(message)
        return True
    raise ImportError(message)


def _shape_text(layer):
    nodes = layer._inbound_nodes
    if not nodes:
        return "?"
    outs = nodes[0].output_tensors
    shapes = [tuple(t.shape) for t in outs if isinstance(t, KerasTensor)]
    text = ", ".join(str(s) for s in shapes)
    return text if len(shapes) == 1 else f"[{text}]"


def _label(layer, show_shapes, show_dtype, show_layer_names, show_layer_activations,
           show_trainable):
    cls = type(layer).__name__
    parts = [f"{layer.name} ({cls})" if show_layer_names else cls]
    activation = getattr(layer, "activation", None)
    if show_layer_activations and activation is not None:
        parts.append(f"Activation: {getattr(activation, '__name__', activation)}")
    if show_dtype:
        parts.append(f"Output dtype: {getattr(layer, 'dtype', '?')}")
    if show_shapes:
        parts.append(f"Output shape: {_shape_text(layer)}")
    if show_trainable and layer.weights:
        parts.append(f"Trainable: {'Y' if layer.trainable else 'N'}")
    return "\n".join(parts)


def _layers_and_edges(model):
    """Every layer of the graph (functional models include their InputLayers) and the
    (source, destination) pairs of its connections."""
    layers = list(getattr(model, "_operations", None) or model.layers)
    known = {id(layer) for layer in layers}
    edges = []
    for layer in layers:
        for node in layer._inbound_nodes:
            for parent in node.parent_nodes:
                if id(parent.operation) in known and id(node.operation) in known:
                    edges.append((parent.operation, layer))
    if not edges and len(layers) > 1:  # a Sequential: its layers in a chain
        edges = list(zip(layers, layers[1:]))
    return layers, edges


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True,
                 rankdir="TB", expand_nested=False, dpi=200, subgraph=False,
                 show_layer_activations=False, show_trainable=False, **kwargs):
    """The model's layer graph as a ``pydot.Dot`` (ImportError without pydot, as Keras)."""
    if not model.built:
        raise ValueError("This model has not yet been built. Build the model first by calling "
                         "`build()` or by calling the model on a batch of data.")
    pydot = _pydot()
    if pydot is None:
        raise ImportError("You must install pydot (`pip install pydot`) for model_to_dot to "
                          "work.")
    dot = pydot.Dot()
    dot.set("rankdir", rankdir)
    dot.set("concentrate", True)
    dot.set("dpi", dpi)
    dot.set("splines", kwargs.pop("splines", "ortho"))
    dot.set_node_defaults(shape="record")
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
    layers, edges = _layers_and_edges(model)
    for layer in layers:
        dot.add_node(pydot.Node(str(id(layer)), label=_label(
            layer, show_shapes, show_dtype, show_layer_names, show_layer_activations,
            show_trainable)))
    for source, destination in edges:
        dot.add_edge(pydot.Edge(str(id(source)), str(id(destination))))
    return dot


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=False, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, **kwargs):
    """Draw the model's layer graph to ``to_file`` (the format from its extension, png by
    default); in a notebook, returns an IPython Image of it."""
    if not model.built:
        raise ValueError("This model has not yet been built. Build the model first by calling "
                         "`build()` or by calling the model on a batch of data.")
    if not check_pydot():
        if _missing("You must install pydot (`pip install pydot`) for `plot_model` to work."):
            return None
    if not check_graphviz():
        if _missing("You must install graphviz (see instructions at "
                    "https://graphviz.gitlab.io/download/) for `plot_model` to work."):
            return None
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    splines = kwargs.pop("splines", "ortho")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir,
                       expand_nested=expand_nested, dpi=dpi,
                       show_layer_activations=show_layer_activations,
                       show_trainable=show_trainable, splines=splines)
    to_file = str(to_file)
    if dot is None:
        return None
    extension = os.path.splitext(to_file)[1][1:] or "png"
    dot.write(to_file, format=extension)
    if extension != "pdf" and "IPython" in sys.modules:
        try:
            from IPython import display
            return display.Image(filename=to_file)
        except ImportError:
            pass
    return None
