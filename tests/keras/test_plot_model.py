"""keras.utils.plot_model / model_to_dot: Keras 3's behaviour without pydot or graphviz, and
the graph it builds (checked through a stand-in pydot that records nodes and edges)."""
import sys
import types

import pytest

from tapeflow import keras

PYDOT_MESSAGE = "You must install pydot (`pip install pydot`) for `plot_model` to work."


def model():
    keras.utils.clear_session()
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                             keras.layers.Dense(2)])


def fake_pydot(graphviz=True):
    pydot = types.ModuleType("pydot")

    class Dot:
        def __init__(self):
            self.nodes, self.edges, self.attrs, self.written = [], [], {}, []

        def set(self, key, value):
            self.attrs[key] = value

        def set_node_defaults(self, **kw):
            self.attrs["node"] = kw

        def add_node(self, node):
            self.nodes.append(node)

        def add_edge(self, edge):
            self.edges.append(edge)

        def create(self, *a, **kw):
            if not graphviz:
                raise OSError("dot not found")
            return b""

        def write(self, path, format="png"):
            self.written.append((path, format))
            pydot.last = self

    class Node:
        def __init__(self, name, label=""):
            self.name, self.label = name, label

    class Edge:
        def __init__(self, src, dst):
            self.src, self.dst = src, dst

    pydot.Dot, pydot.Node, pydot.Edge = Dot, Node, Edge
    pydot.PydotException = RuntimeError
    return pydot


def test_without_pydot_it_raises_keras_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "pydot", None)  # import pydot fails
    with pytest.raises(ImportError, match=r"install pydot \(`pip install pydot`\)"):
        keras.utils.plot_model(model(), "model.png")


def test_in_a_notebook_it_prints_the_message_and_returns(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "pydot", None)
    monkeypatch.setitem(sys.modules, "IPython.core.magics.namespace",
                        types.ModuleType("IPython.core.magics.namespace"))
    assert keras.utils.plot_model(model(), "model.png") is None
    assert capsys.readouterr().out.strip() == PYDOT_MESSAGE


def test_without_graphviz_it_says_to_install_graphviz(monkeypatch):
    monkeypatch.setitem(sys.modules, "pydot", fake_pydot(graphviz=False))
    with pytest.raises(ImportError, match="You must install graphviz"):
        keras.utils.plot_model(model(), "model.png")


def test_unbuilt_model_is_refused():
    with pytest.raises(ValueError, match="has not yet been built"):
        keras.utils.plot_model(keras.Sequential([keras.layers.Dense(2)]))


def test_graph_of_a_sequential_model(monkeypatch, tmp_path):
    pydot = fake_pydot()
    monkeypatch.setitem(sys.modules, "pydot", pydot)
    keras.utils.plot_model(model(), tmp_path / "m.svg", show_shapes=True,
                           show_layer_names=True)
    dot = pydot.last
    assert dot.written == [(str(tmp_path / "m.svg"), "svg")]
    assert [n.label.splitlines()[0] for n in dot.nodes] == ["dense (Dense)", "dense_1 (Dense)"]
    assert "Output shape: (None, 2)" in dot.nodes[1].label
    assert [(e.src, e.dst) for e in dot.edges] == [(dot.nodes[0].name, dot.nodes[1].name)]
    assert dot.attrs["rankdir"] == "TB"


def test_graph_of_a_functional_model_follows_its_connections(monkeypatch):
    pydot = fake_pydot()
    monkeypatch.setitem(sys.modules, "pydot", pydot)
    keras.utils.clear_session()
    a, b = keras.Input((3,), name="a"), keras.Input((3,), name="b")
    out = keras.layers.Dense(1, name="out")(keras.layers.Concatenate(name="cat")([a, b]))
    dot = keras.utils.model_to_dot(keras.Model([a, b], out), show_layer_names=True)
    names = {n.name: n.label.splitlines()[0] for n in dot.nodes}
    edges = sorted((names[e.src], names[e.dst]) for e in dot.edges)
    assert edges == [("a (InputLayer)", "cat (Concatenate)"),
                     ("b (InputLayer)", "cat (Concatenate)"),
                     ("cat (Concatenate)", "out (Dense)")]


def test_unknown_arguments_are_refused(monkeypatch):
    monkeypatch.setitem(sys.modules, "pydot", fake_pydot())
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        keras.utils.plot_model(model(), "m.png", colour=True)


def test_model_to_dot_raises_without_pydot_and_refuses_unknown_arguments(monkeypatch):
    monkeypatch.setitem(sys.modules, "pydot", None)
    with pytest.raises(ImportError, match="for model_to_dot to work"):
        keras.utils.model_to_dot(model())
    monkeypatch.setitem(sys.modules, "pydot", fake_pydot())
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        keras.utils.model_to_dot(model(), colour=True)
