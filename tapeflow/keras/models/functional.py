"""Functional models: ``keras.Model(inputs, outputs)`` over a graph of layer calls.

The graph is found by walking back from the outputs through each KerasTensor's Node
(Keras's own ``_build_map``); calling the model replays the nodes in depth order on real
tensors.

>>> import tapeflow.keras as keras
>>> x = keras.Input((3,)); y = keras.layers.Dense(2)(x)
>>> keras.Model(x, y).output_shape
(None, 2)
"""
import collections

import numpy as np

import tapeflow as tf
from tapeflow.keras import backend
from tapeflow.keras.layers import input_layer as il
from tapeflow.keras.models import model as model_mod


def _build_map(inputs, outputs):
    finished, in_progress, ordered, op_index = set(), set(), [], {}
    input_ids = {id(t) for t in tf.nest.flatten(inputs)}

    def helper(tensor):
        op, node_index, _ = tensor._keras_history
        node = op._inbound_nodes[node_index]
        if id(node) in finished:
            return
        if id(node) in in_progress:
            raise ValueError(f"Tensor {tensor} from operation '{op.name}' is part of a cycle.")
        op_index.setdefault(op, len(op_index))
        in_progress.add(id(node))
        if node.call_args and id(tensor) not in input_ids:
            for t in node.input_tensors:
                helper(t)
        finished.add(id(node))
        in_progress.discard(id(node))
        ordered.append(node)
    for out in tf.nest.flatten(outputs):
        if not isinstance(out, il.KerasTensor) or out._keras_history is None:
            raise ValueError("All `outputs` of a functional model must be KerasTensors made by "
                             f"calling layers on `keras.Input`; received {out!r}.")
        helper(out)
    return ordered, op_index


def map_graph(inputs, outputs):
    """(nodes in execution order, nodes by depth, layers in Keras's order)."""
    ordered, op_index = _build_map(inputs, outputs)
    node_depth, op_depth = {}, {}
    by_id = {id(n): n for n in ordered}
    for node in reversed(ordered):
        depth = node_depth.setdefault(id(node), 0)
        depth = max(depth, op_depth.get(node.operation, 0))
        op_depth[node.operation] = depth
        node_depth[id(node)] = depth
        for parent in node.parent_nodes:
            by_id.setdefault(id(parent), parent)
            node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for t in tf.nest.flatten(inputs):
        op = t._keras_history.operation
        if op not in op_depth:
            op_depth[op] = 0
            op_index[op] = -1
            node_depth[id(op._inbound_nodes[0])] = 0
            by_id[id(op._inbound_nodes[0])] = op._inbound_nodes[0]
    nodes_by_depth = collections.defaultdict(list)
    for nid, depth in node_depth.items():
        nodes_by_depth[depth].append(by_id[nid])
    ops_by_depth = collections.defaultdict(list)
    for op, depth in op_depth.items():
        ops_by_depth[depth].append(op)
    layers = []
    for depth in sorted(ops_by_depth, reverse=True):
        layers.extend(sorted(ops_by_depth[depth], key=lambda op: op_index[op]))
    execution = [n for d in sorted(nodes_by_depth, reverse=True) for n in nodes_by_depth[d]
                 if n.call_args]
    return execution, nodes_by_depth, layers


class Functional(model_mod.Model):
    """A model defined by its input and output KerasTensors."""

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        if isinstance(inputs, dict):
            for k, v in inputs.items():
                if not isinstance(v, il.KerasTensor):
                    raise ValueError(f"Input {k} is not a KerasTensor: {v!r}")  # noqa: TRY004
        if name is None:
            from tapeflow.keras.layers.layer import _snake
            name = backend.unique_name("functional" if type(self) is Functional
                                       else _snake(type(self).__name__))
        model_mod.Model.__init__(self, name=name, trainable=trainable)
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self._inputs = tf.nest.flatten(inputs)
        self._outputs = tf.nest.flatten(outputs)
        for t in self._inputs:
            if not isinstance(t, il.KerasTensor):
                raise ValueError("All `inputs` values must be KerasTensors (keras.Input). "  # noqa: TRY004
                                 f"Received: inputs={inputs} including invalid value {t!r}")
        self._nodes, self._nodes_by_depth, self._operations = map_graph(inputs, outputs)
        self.built = True
        self._build_shapes = [t.shape for t in self._inputs]

    @property
    def layers(self):
        return list(self._operations)

    @property
    def inputs(self):
        return list(self._inputs)

    @property
    def outputs(self):
        return list(self._outputs)

    @property
    def input(self):
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    @property
    def input_names(self):
        return [t._keras_history.operation.name for t in self._inputs]

    @property
    def output_names(self):
        if isinstance(self._outputs_struct, dict):
            return list(self._outputs_struct)
        return [t._keras_history.operation.name for t in self._outputs]

    @property
    def input_shape(self):
        shapes = [t.shape for t in self._inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [t.shape for t in self._outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def _flat_inputs(self, inputs):
        if isinstance(inputs, dict):
            if isinstance(self._inputs_struct, dict):
                keys = list(self._inputs_struct)
            else:
                keys = self.input_names
            missing = [k for k in keys if k not in inputs]
            if missing:
                raise ValueError(f"Missing data for input(s) {missing}. Expected the keys "
                                 f"{keys}; received {list(inputs)}.")
            if isinstance(self._inputs_struct, dict):
                return [inputs[k] for k in tf.nest.flatten({k: k for k in keys})]
            return [inputs[k] for k in keys]
        flat = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(flat) != len(self._inputs):
            raise ValueError(f"Model '{self.name}' expects {len(self._inputs)} input(s), but it "
                             f"received {len(flat)} input tensors.")
        return flat

    def compute_mask(self, inputs, mask=None):
        # Keras's models: the outputs carry whatever masks their layers attached; overriding
        # compute_mask also makes the model support masking (no "destroys the mask" warning)
        return None

    def call(self, inputs, training=None, mask=None):
        flat = self._flat_inputs(inputs)
        values = {}
        for kt, x in zip(self._inputs, flat):
            if not isinstance(x, tf.Tensor):
                x = tf.convert_to_tensor(x)
            if x.dtype.name != kt.dtype and x.dtype.is_floating:
                x = tf.cast(x, kt.dtype)
            values[id(kt)] = x
        if mask is not None:  # Keras: given masks ride the inputs into the graph
            for kt, m in zip(self._inputs, tf.nest.flatten(mask)):
                if m is not None:
                    backend.set_keras_mask(values[id(kt)], m)
        for node in self._nodes:
            args = _replace(node.call_args, values)
            kwargs = _replace(node.call_kwargs, values)
            outs = node.operation(*args, **kwargs)
            for kt, v in zip(node.output_tensors, tf.nest.flatten(outs)):
                values[id(kt)] = v
        return tf.nest.pack_sequence_as(self._outputs_struct,
                                        [values[id(t)] for t in self._outputs])

    def compute_output_shape(self, input_shape):
        return self.output_shape

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable}


def _replace(struct, values):
    if isinstance(struct, il.KerasTensor):
        return values[id(struct)]
    if isinstance(struct, list):
        return [_replace(v, values) for v in struct]
    if isinstance(struct, tuple):
        return tuple(_replace(v, values) for v in struct)
    if isinstance(struct, dict):
        return {k: _replace(v, values) for k, v in struct.items()}
    return struct


_ = np
