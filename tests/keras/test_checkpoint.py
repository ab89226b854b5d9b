"""ModelCheckpoint and BackupAndRestore (tapeflow.keras.saving.checkpoint_callbacks).

The acceptance test kills a seeded ``fit`` with SIGKILL in the middle of an epoch, reruns it,
and requires the final weights, optimizer state, History and the other callbacks' state to be
bit-identical to an uninterrupted run. BackupAndRestore saves and restores everything from the
callback side; the training loop skips the finished epochs and batches it reports through
``model._initial_epoch`` / ``model._initial_step`` (Keras's trainer reads ``_initial_epoch``).
"""
import json
import os
import signal
import subprocess
import sys
import zipfile

import numpy as np
import pytest

pytest.importorskip("h5py")

from tapeflow import keras
from tapeflow.keras import callbacks, saving
from tapeflow.keras.saving import checkpoint_callbacks as ckpt
from tapeflow.keras.saving import file_io

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


SCRIPT = r'''
import json, os, signal, sys
import numpy as np
mode, backup, out, kill_epoch, kill_batch, save_freq = sys.argv[1:7]
kill_epoch, kill_batch = int(kill_epoch), int(kill_batch)
save_freq = save_freq if save_freq == "epoch" else int(save_freq)
import tapeflow.keras as keras
from tapeflow.keras import callbacks, saving
keras.utils.set_random_seed(0)
x = np.random.RandomState(1).normal(size=(40, 5)).astype("float32")
y = (x.sum(1, keepdims=True) > 0).astype("float32")
model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="relu"),
                          keras.layers.Dropout(0.3), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
early = callbacks.EarlyStopping(monitor="val_loss", patience=100)
best = saving.ModelCheckpoint(os.path.join(backup + "_best", "best.keras"), save_best_only=True)
cbs = [early, best]
if mode != "plain":
    cbs.insert(0, saving.BackupAndRestore(backup, save_freq=save_freq))

class Kill(callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
    def on_train_batch_end(self, batch, logs=None):
        if self.epoch == kill_epoch and batch == kill_batch:
            os.kill(os.getpid(), signal.SIGKILL)

if mode == "kill":
    cbs.append(Kill())
history = model.fit(x, y, epochs=4, batch_size=8, validation_split=0.2, callbacks=cbs,
                    verbose=0)
np.savez(out + ".npz", *[np.asarray(v.numpy()) for v in model.weights +
                         model.optimizer.variables])
with open(out + ".json", "w") as f:
    json.dump({"history": history.history, "epoch": history.epoch,
               "early_stopping": [early.wait, early.best, early.best_epoch],
               "checkpoint_best": best.best}, f)
'''


def _run(tmp_path, mode, kill=(0, 0), save_freq=1, tag=""):
    script = tmp_path / "fit_script.py"
    script.write_text(SCRIPT)
    out = tmp_path / f"out_{mode}{tag}"
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.run([sys.executable, str(script), mode, str(tmp_path / "backup"),
                           str(out), str(kill[0]), str(kill[1]), str(save_freq)],
                          capture_output=True, text=True, env=env,
                          timeout=300, check=False)
    return proc, out


def _results(out):
    arrays = np.load(str(out) + ".npz", allow_pickle=False)
    with open(str(out) + ".json") as f:
        return [arrays[k] for k in arrays.files], json.load(f)


def _interrupted_then_resumed(tmp_path, kill, save_freq):
    plain, out_plain = _run(tmp_path, "plain")
    assert plain.returncode == 0, plain.stderr
    killed, _ = _run(tmp_path, "kill", kill=kill, save_freq=save_freq)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert (tmp_path / "backup" / ckpt.CHECKPOINT).exists()
    resumed, out_resumed = _run(tmp_path, "resume", save_freq=save_freq)
    assert resumed.returncode == 0, resumed.stderr
    want_arrays, want = _results(out_plain)
    got_arrays, got = _results(out_resumed)
    assert len(got_arrays) == len(want_arrays)
    for g, w in zip(got_arrays, want_arrays):
        np.testing.assert_array_equal(g, w)
    assert got == want  # History, EarlyStopping's wait/best, ModelCheckpoint's best
    assert not (tmp_path / "backup").exists(), "the backup is deleted after a finished fit"


@pytest.mark.parametrize("kill, save_freq", [((0, 1), 1), ((1, 3), 1), ((2, 1), 1),
                                             ((3, 2), 1), ((2, 1), "epoch"), ((1, 2), 3)])
def test_sigkill_then_rerun_is_bit_identical(tmp_path, kill, save_freq):
    """Killed with SIGKILL in epoch k after batch j, rerun: weights, optimizer state, History,
    EarlyStopping's wait/best and ModelCheckpoint's best equal an uninterrupted run's."""
    _interrupted_then_resumed(tmp_path, kill, save_freq)


# -- BackupAndRestore in process ---------------------------------------------------------------
def _model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


def _data():
    rng = np.random.RandomState(0)
    return rng.normal(size=(24, 3)).astype("float32"), rng.normal(size=(24, 1)).astype("float32")


class _Stop(callbacks.Callback):
    def __init__(self, epoch, batch):
        super().__init__()
        self.at = (epoch, batch)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        if (self.epoch, batch) == self.at:
            self.weights_before = [w.numpy().copy() for w in self.model.weights]

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.at:
            raise KeyboardInterrupt


def test_backup_holds_the_whole_training_state(tmp_path):
    model = _model()
    x, y = _data()
    early = callbacks.EarlyStopping(monitor="loss", patience=50)
    backup = saving.BackupAndRestore(tmp_path / "b", save_freq=2)
    stop = _Stop(2, 2)  # the backup after batch 1 is written when batch 2 begins
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=5, batch_size=6, verbose=0, callbacks=[backup, early, stop])
    path = tmp_path / "b" / ckpt.CHECKPOINT
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == sorted(ckpt._MEMBERS)
        assert all(i.compress_type == zipfile.ZIP_STORED for i in archive.infolist())
    members, state = ckpt._read_checkpoint(path)
    assert (state["epoch"], state["batch"]) == (2, 1)
    assert state["history_epochs"] == [0, 1]
    assert len(state["history"]["loss"]) == 2
    assert state["callbacks"]["1:EarlyStopping"]["best"] == early.best
    assert state["numpy_rng_epoch_begin"] is not None and state["tapeflow_rng"] is not None
    again = _model()
    again.optimizer.build(again.trainable_weights)
    saving.saving_lib.load_weights_from_bytes(again, members["model.weights.h5"], str(path))
    for a, b in zip(again.weights, stop.weights_before):
        np.testing.assert_array_equal(a.numpy(), b)
    assert int(again.optimizer.iterations.numpy()) == 2 * 4 + 2


@pytest.mark.filterwarnings("ignore:BackupAndRestore restored")
def test_backup_restores_weights_when_fit_starts(tmp_path):
    model = _model()
    x, y = _data()
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=3, batch_size=6, verbose=0,
                  callbacks=[saving.BackupAndRestore(tmp_path / "b"), _Stop(1, 2)])
    members, state = ckpt._read_checkpoint(tmp_path / "b" / ckpt.CHECKPOINT)
    assert (state["epoch"], state["batch"]) == (1, -1)  # the end of epoch 0
    expected = _model()
    expected.optimizer.build(expected.trainable_weights)
    saving.saving_lib.load_weights_from_bytes(expected, members["model.weights.h5"], "x")
    fresh = _model()
    probe = _Probe()
    fresh.fit(x, y, epochs=1, batch_size=24, verbose=0,
              callbacks=[saving.BackupAndRestore(tmp_path / "b"), probe])
    for got, want in zip(probe.weights_at_begin, expected.weights):
        np.testing.assert_array_equal(got, want.numpy())
    assert not (tmp_path / "b").exists()


class _Probe(callbacks.Callback):
    weights_at_begin = None

    def on_train_begin(self, logs=None):
        self.weights_at_begin = [w.numpy().copy() for w in self.model.weights]


def test_backup_keeps_the_checkpoint_after_an_interruption_and_deletes_it_after_success(tmp_path):
    model = _model()
    x, y = _data()
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=3, verbose=0, batch_size=6,
                  callbacks=[saving.BackupAndRestore(tmp_path / "b", save_freq=1), _Stop(0, 1)])
    assert (tmp_path / "b" / ckpt.CHECKPOINT).exists()
    assert [n for n in os.listdir(tmp_path / "b") if n.endswith(".tmp")] == []
    keep = saving.BackupAndRestore(tmp_path / "k", delete_checkpoint=False)
    _model().fit(x, y, epochs=1, verbose=0, callbacks=[keep])
    assert (tmp_path / "k" / ckpt.CHECKPOINT).exists()


def test_corrupt_checkpoint_is_reported_and_bkp_is_used(tmp_path):
    model = _model()
    x, y = _data()
    backup = saving.BackupAndRestore(tmp_path / "b", double_checkpoint=True)
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=4, batch_size=6, verbose=0, callbacks=[backup, _Stop(2, 0)])
    path = tmp_path / "b" / ckpt.CHECKPOINT
    assert (tmp_path / "b" / (ckpt.CHECKPOINT + ".bkp")).exists()
    path.write_bytes(path.read_bytes()[:-200])
    _, state = backup._read()
    assert state["epoch"] == 1  # the previous backup
    os.remove(str(path) + ".bkp")
    with pytest.raises(file_io.CorruptFileError, match="corrupt"):
        backup._read()
    single = saving.BackupAndRestore(tmp_path / "b")
    with pytest.raises(file_io.CorruptFileError, match="cannot read its checkpoint"):
        _model().fit(x, y, epochs=1, verbose=0, callbacks=[single])


def test_tampered_member_fails_its_sha256(tmp_path):
    model = _model()
    x, y = _data()
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=3, batch_size=6, verbose=0,
                  callbacks=[saving.BackupAndRestore(tmp_path / "b"), _Stop(1, 0)])
    path = tmp_path / "b" / ckpt.CHECKPOINT
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    state = json.loads(members["training_state.json"])
    state["epoch"] = 0
    members["training_state.json"] = json.dumps(state).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(file_io.CorruptFileError, match="sha256"):
        ckpt._read_checkpoint(path)


def test_backup_arguments_and_unbuilt_model(tmp_path):
    with pytest.raises(ValueError, match="Empty `backup_dir`"):
        saving.BackupAndRestore("")
    with pytest.raises(ValueError, match="Invalid value for argument `save_freq`"):
        saving.BackupAndRestore(tmp_path, save_freq="batch")
    model = keras.Sequential([keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="model must be built before you call `fit\\(\\)`"):
        model.fit(np.ones((2, 3)), np.ones((2, 1)), verbose=0,
                  callbacks=[saving.BackupAndRestore(tmp_path / "b")])


def test_backup_is_a_callback():
    assert isinstance(saving.BackupAndRestore("/tmp/x"), callbacks.Callback)
    assert isinstance(saving.ModelCheckpoint("/tmp/x.keras"), callbacks.Callback)


# -- ModelCheckpoint ---------------------------------------------------------------------------
def test_model_checkpoint_every_epoch_with_formatted_names(tmp_path):
    model = _model()
    x, y = _data()
    pattern = str(tmp_path / "m-{epoch:02d}-{val_loss:.2f}.keras")
    model.fit(x, y, epochs=3, verbose=0, validation_split=0.25,
              callbacks=[saving.ModelCheckpoint(pattern)])
    names = sorted(os.listdir(tmp_path))
    assert [n[:5] for n in names] == ["m-01-", "m-02-", "m-03-"]
    loaded = saving.load_model(tmp_path / names[-1])
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_model_checkpoint_save_best_only(tmp_path):
    model = _model()
    x, y = _data()
    target = tmp_path / "best.weights.h5"
    seen = []

    class Spy(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append((logs["loss"], os.path.getmtime(target) if target.exists() else None,
                         target.read_bytes() if target.exists() else None))

    check = saving.ModelCheckpoint(target, monitor="loss", save_best_only=True,
                                   save_weights_only=True)
    model.fit(x, y, epochs=6, verbose=0, callbacks=[check, Spy()])
    losses = [s[0] for s in seen]
    assert check.best == min(losses)
    for i in range(1, len(seen)):
        improved = losses[i] < min(losses[:i])
        assert (seen[i][2] != seen[i - 1][2]) == improved
    fresh = _model()
    fresh.optimizer.build(fresh.trainable_weights)
    saving.load_weights(fresh, target)


def test_model_checkpoint_mode_max_and_batches(tmp_path):
    model = _model()
    x, y = _data()
    check = saving.ModelCheckpoint(tmp_path / "b{batch}-e{epoch}.keras", save_freq=3)
    model.fit(x, y, epochs=2, batch_size=6, verbose=0, callbacks=[check])
    assert sorted(os.listdir(tmp_path)) == ["b2-e2.keras", "b3-e1.keras"]  # Keras's counting
    maxed = saving.ModelCheckpoint(tmp_path / "acc.keras", monitor="mae", mode="max",
                                   save_best_only=True)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[maxed])
    assert maxed.monitor_op is np.greater


@pytest.mark.parametrize("kwargs, message", [
    ({"filepath": "m.h5x"}, "must end in `.keras`"),
    ({"filepath": "m.keras", "save_weights_only": True}, "must end in `.weights.h5`"),
    ({"filepath": "m.keras", "save_freq": "batch"}, "Unrecognized save_freq"),
])
def test_model_checkpoint_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        saving.ModelCheckpoint(**kwargs)


def test_model_checkpoint_state_round_trip():
    check = saving.ModelCheckpoint("/tmp/x.keras", save_best_only=True)
    check.best = 0.25
    check._batches_seen_since_last_saving = 7
    other = saving.ModelCheckpoint("/tmp/x.keras", save_best_only=True)
    other.set_state(check.get_state())
    assert other.best == 0.25 and other._batches_seen_since_last_saving == 7
