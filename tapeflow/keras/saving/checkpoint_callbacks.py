"""ModelCheckpoint and BackupAndRestore: training that survives interruption.

ModelCheckpoint is Keras 3's (``.keras`` or ``.weights.h5``, ``save_best_only``, ``monitor``,
``mode``, ``save_freq`` in epochs or batches, ``{epoch:02d}-{val_loss:.2f}`` file names), with
atomic writes, and its ``best`` survives a restart through BackupAndRestore.

BackupAndRestore keeps ONE self-consistent checkpoint file, ``<backup_dir>/latest.checkpoint``
(a zip written atomically): the weights and the optimizer's state (Keras's weights layout), the
epoch and batch reached, the random generators (NumPy's global one at the start of the epoch --
it draws fit's shuffle order -- and after the batch, and tapeflow's op streams), the metrics'
running totals, the History so far and the other callbacks' state (EarlyStopping's wait/best,
ReduceLROnPlateau's counters, ModelCheckpoint's best). On the next ``fit`` it restores all of it
and asks the training loop to start at that epoch and batch (``model._initial_epoch``,
``model._initial_step``, as Keras's own trainer honours ``_initial_epoch``). The file is read
back with the same data-only checks as a ``.keras`` file, plus a sha256 per member.
"""
import hashlib
import json
import os
import random
import shutil
import warnings

import numpy as np

import tapeflow as tf
from tapeflow.keras import callbacks as callbacks_mod
from tapeflow.keras.saving import file_io, saving_lib

CHECKPOINT = "latest.checkpoint"
FORMAT = "tapeflow-backup-1"
_MEMBERS = ("manifest.json", "training_state.json", "model.weights.h5", "state.h5")


# ================================= ModelCheckpoint ============================================
class ModelCheckpoint(callbacks_mod.MonitorCallback):
    """Saves the model (or its weights) every epoch or every ``save_freq`` batches.

    >>> cb = ModelCheckpoint("/tmp/ckpt-{epoch:02d}.keras", save_best_only=True)
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = None
        self._current_epoch = 0
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(f"Unrecognized save_freq: {save_freq}. Expected save_freq are "
                             "'epoch' or integer values")
        if save_weights_only:
            if not self.filepath.endswith(".weights.h5"):
                raise ValueError("When using `save_weights_only=True` in `ModelCheckpoint`, the "
                                 "filepath provided must end in `.weights.h5` (Keras weights "
                                 f"format). Received: filepath={self.filepath}")
        elif not self.filepath.endswith(".keras"):
            raise ValueError("The filepath provided must end in `.keras` (Keras model format). "
                             f"Received: filepath={self.filepath}")

    # -- state kept by BackupAndRestore ------------------------------------------------------
    def get_state(self):
        return {"best": None if self.best is None else float(self.best),
                "batches_seen_since_last_saving": self._batches_seen_since_last_saving,
                "last_batch_seen": self._last_batch_seen}

    def set_state(self, state):
        self.best = state.get("best")
        self._batches_seen_since_last_saving = state.get("batches_seen_since_last_saving", 0)
        self._last_batch_seen = state.get("last_batch_seen")

    # -- hooks ---------------------------------------------------------------------------------
    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op_safely()
        if self.save_freq == "epoch":
            self._save_model(epoch, None, logs)

    def _set_monitor_op_safely(self):
        try:
            self._set_monitor_op()
        except ValueError:
            if self.save_best_only:
                raise

    def _should_save_on_batch(self, batch):
        if self.save_freq == "epoch":
            return False
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            add = batch + 1
        else:
            add = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += add
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _should_save_model(self, epoch, logs, filepath):
        if not self.save_best_only:
            if self.verbose > 0:
                callbacks_mod._print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.",
                          stacklevel=3)
            return True
        if self.monitor_op is None:
            self._set_monitor_op()
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                callbacks_mod._print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} "
                                     f"to {current:.5f}, saving model to {filepath}")
            self.best = current
            return True
        if self.verbose > 0:
            callbacks_mod._print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from "
                                 f"{best}")
        return False

    def _save_model(self, epoch, batch, logs):
        logs = logs or {}
        filepath = self._get_file_path(epoch, batch, logs)
        if os.path.isdir(filepath):
            raise OSError("Please specify a non-directory filepath for ModelCheckpoint. "
                          f"Filepath used is an existing directory: {filepath}")
        if not self._should_save_model(epoch, logs, filepath):
            return
        if self.save_weights_only:
            saving_lib.save_weights(self.model, filepath, overwrite=True)
        else:
            saving_lib.save_model(self.model, filepath, overwrite=True)
        if self.verbose > 0:
            callbacks_mod._print(f"\nEpoch {epoch + 1}: finished saving model to {filepath}")

    def _get_file_path(self, epoch, batch, logs):
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as error:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". '
                           f"Reason: {error}") from None


# ================================= random state ===============================================
def _np_state():
    name, keys, pos, has_gauss, cached = np.random.get_state()
    return {"name": name, "keys": keys, "pos": int(pos), "has_gauss": int(has_gauss),
            "cached_gaussian": float(cached)}


def _set_np_state(state):
    state = _from_jsonable(state)
    np.random.set_state((state["name"], np.asarray(state["keys"], dtype=np.uint32),
                         state["pos"], state["has_gauss"], state["cached_gaussian"]))


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return {"__array__": value.tolist(), "dtype": value.dtype.name}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _from_jsonable(value):
    if isinstance(value, dict):
        if "__array__" in value:
            return np.asarray(value["__array__"], dtype=np.dtype(value["dtype"]))
        return {k: _from_jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_jsonable(v) for v in value]
    return value


def _tapeflow_rng_state():
    return _jsonable(tf.random.get_state())


def _set_tapeflow_rng_state(state):
    if state:
        tf.random.set_state(_from_jsonable(state))


def _python_state():
    version, internal, gauss = random.getstate()
    return [version, list(internal), gauss]


def _set_python_state(state):
    version, internal, gauss = state
    random.setstate((version, tuple(internal), gauss))


# ================================= other callbacks' state =====================================
_KNOWN_STATE = ("wait", "stopped_epoch", "best", "best_epoch", "cooldown_counter")


def _callback_state(callback):
    """(JSON state, arrays) of a callback: its get_state(), else the counters Keras's keep."""
    if hasattr(callback, "get_state"):
        return _jsonable(callback.get_state()), []
    state = {}
    for name in _KNOWN_STATE:
        if hasattr(callback, name):
            value = getattr(callback, name)
            if value is None or isinstance(value, (bool, int, float, np.generic)):
                state[name] = _jsonable(value)
    arrays = list(getattr(callback, "best_weights", None) or [])
    state["best_weights"] = len(arrays) if getattr(callback, "best_weights", None) is not None \
        else None
    return state, [np.asarray(a) for a in arrays]


def _set_callback_state(callback, state, arrays):
    if hasattr(callback, "set_state"):
        callback.set_state(_from_jsonable(state))
        return
    for name, value in state.items():
        if name != "best_weights":
            setattr(callback, name, value)
    if state.get("best_weights") is not None:
        callback.best_weights = list(arrays)


def _find_callback_list(callback):
    """The CallbackList calling ``callback`` (it registers itself on each of its callbacks)."""
    return getattr(callback, "_callback_list", None)


# ================================= BackupAndRestore ===========================================
class BackupAndRestore(callbacks_mod.Callback):
    """Backs up the whole training state so an interrupted ``fit`` resumes where it stopped.

    Args:
        backup_dir: folder for ``latest.checkpoint`` (created if needed).
        save_freq: ``"epoch"`` or an integer number of batches between backups.
        double_checkpoint: also keep the previous checkpoint (``.bkp``) and fall back to it
            when the latest cannot be read.
        delete_checkpoint: remove the backup at the end of a successful ``fit``.

    >>> cb = BackupAndRestore("/tmp/backup", save_freq=10)
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False,
                 delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if save_freq != "epoch" and not (isinstance(save_freq, int) and save_freq > 0):
            raise ValueError(f"Invalid value for argument `save_freq`. Received: "
                             f"save_freq={save_freq}. Expected either 'epoch' or an integer "
                             "value.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._path = os.path.join(self.backup_dir, CHECKPOINT)
        self._batches_seen = 0
        self._current_epoch = 0
        self._epoch_rng = None
        self._pending = None
        self._deferred_metrics = None
        self._snap = None
        self._callback_list = None

    # -- writing -------------------------------------------------------------------------------
    def _peers(self):
        found = self._callback_list
        if found is None:
            return []
        skip = (BackupAndRestore, callbacks_mod.History, callbacks_mod.ProgbarLogger)
        return [(i, c) for i, c in enumerate(found.callbacks) if not isinstance(c, skip)]

    def _snapshot(self, epoch, batch):
        """What changes from batch to batch, taken now: the position, the random generators
        and the metrics' running totals. Written to disk by `_flush` at the next hook, when
        every other callback has finished this one (their state then matches)."""
        model = self.model
        self._snap = {
            "epoch": epoch, "batch": batch, "batches_seen": self._batches_seen,
            "numpy_rng_epoch_begin": _jsonable(self._epoch_rng),
            "numpy_rng": _jsonable(_np_state()), "python_rng": _python_state(),
            "tapeflow_rng": _tapeflow_rng_state(),
            "metrics": [[np.asarray(v.numpy()) for v in m.variables] for m in model.metrics]
            if batch >= 0 else [],
            "metric_results": _metric_results(model) if batch >= 0 else {},
        }

    def _state_members(self, snap):
        model = self.model
        peers, peer_arrays = {}, []
        for index, callback in self._peers():
            state, arrays = _callback_state(callback)
            peers[f"{index}:{type(callback).__name__}"] = state
            peer_arrays.append((f"callbacks/{index}", arrays))
        history = getattr(model, "history", None)
        state = {key: value for key, value in snap.items() if key != "metrics"}
        state.update({
            "format": FORMAT,
            "history": _jsonable(getattr(history, "history", {}) or {}),
            "history_epochs": list(getattr(history, "epoch", []) or []),
            "callbacks": peers,
        })
        entries = [(f"metrics/{i}", None, values) for i, values in enumerate(snap["metrics"])]
        entries += [(path, None, arrays) for path, arrays in peer_arrays]
        members = {"training_state.json": json.dumps(state).encode("utf-8"),
                   "model.weights.h5": saving_lib.weights_bytes(model),
                   "state.h5": file_io.write_h5(entries)}
        manifest = {"format": FORMAT, "sha256": {k: hashlib.sha256(v).hexdigest()
                                                 for k, v in members.items()}}
        members["manifest.json"] = json.dumps(manifest).encode("utf-8")
        return members

    def _flush(self):
        snap, self._snap = self._snap, None
        if snap is None:
            return
        members = self._state_members(snap)
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint and os.path.exists(self._path):
            shutil.copyfile(self._path, self._path + ".bkp")
        file_io.atomic_write(self._path, lambda f: _write_zip(f, members))

    # -- reading -------------------------------------------------------------------------------
    def _read(self):
        candidates = [self._path] + ([self._path + ".bkp"] if self.double_checkpoint else [])
        errors = []
        for path in candidates:
            if not os.path.exists(path):
                continue
            try:
                return _read_checkpoint(path)
            except (file_io.CorruptFileError, ValueError, KeyError, OSError) as error:
                errors.append(str(error))
        if errors:
            raise file_io.CorruptFileError("BackupAndRestore cannot read its checkpoint in "
                                           f"{self.backup_dir!r}: " + " | ".join(errors))
        return None

    # -- hooks ---------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._callback_list = _find_callback_list(self)
        self._pending = None
        self._snap = None
        self._batches_seen = 0
        model = self.model
        if not getattr(model, "built", False):
            raise ValueError("To use the BackupAndRestore callback, you model must be built "
                             f"before you call `fit()`. Model {model} is unbuilt. You can "
                             "build it beforehand by calling it on a batch of data.")
        found = self._read()
        if found is None:
            return
        members, state = found
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None and not optimizer.built and model.trainable_weights:
            optimizer.build(model.trainable_weights)
        saving_lib.load_weights_from_bytes(model, members["model.weights.h5"], self._path)
        epoch, batch = int(state["epoch"]), int(state["batch"])
        self._pending = dict(state, state_h5=members["state.h5"])
        self._batches_seen = int(state.get("batches_seen", 0))
        model._initial_epoch = epoch
        model._initial_step = batch + 1 if batch >= 0 else 0

    def on_epoch_begin(self, epoch, logs=None):
        self._flush()
        self._current_epoch = epoch
        pending = self._pending
        if pending is not None:
            if epoch != int(pending["epoch"]):
                warnings.warn(
                    f"BackupAndRestore restored the weights of epoch {pending['epoch']} but the "
                    f"training loop started at epoch {epoch}: it does not honour "
                    "`model._initial_epoch`, so the finished epochs run again.", stacklevel=2)
                self._pending = None
            else:
                self._restore_epoch_state(pending)
        self._epoch_rng = _np_state()

    def _restore_epoch_state(self, pending):
        mid_epoch = int(pending["batch"]) >= 0
        # The shuffle order of this epoch is drawn after this hook: replay it.
        rng = pending["numpy_rng_epoch_begin"] if mid_epoch else pending["numpy_rng"]
        if rng is not None:
            _set_np_state(rng)
        if not mid_epoch:
            _set_tapeflow_rng_state(pending["tapeflow_rng"])
            _set_python_state(pending["python_rng"])
            pending["rng_restored"] = True
        self._restore_history_and_callbacks(pending)
        self._restore_metrics(pending)

    def _state_reader(self, pending):
        return file_io.H5Reader(pending["state_h5"], self._path)

    def _restore_metrics(self, pending):
        """Running totals of this epoch's metrics, as saved after the last finished batch.

        The compiled metrics are built on the first batch a process trains, so in a restarted
        process they may not exist yet here: those are merged in after the first batch instead
        (their state is a sum -- totals, counts, confusion counts -- and ``saved + new`` is the
        uninterrupted run's ``saved + new``, bit for bit).
        """
        reader = self._state_reader(pending)
        deferred = []
        try:
            for i, metric in enumerate(self.model.metrics):
                keys = reader.keys(f"metrics/{i}")
                variables = list(metric.variables)
                if not keys:
                    continue
                if len(keys) != len(variables):
                    deferred.append((i, [reader.read(f"metrics/{i}", str(k), None)
                                         for k in range(len(keys))]))
                    continue
                for k, variable in enumerate(variables):
                    variable.assign(reader.read(f"metrics/{i}", str(k), tuple(variable.shape),
                                                variable.dtype.name))
        finally:
            reader.close()
        self._deferred_metrics = deferred

    def _merge_deferred_metrics(self):
        deferred, self._deferred_metrics = getattr(self, "_deferred_metrics", None), None
        if not deferred:
            return
        metrics = self.model.metrics
        for i, values in deferred:
            variables = list(metrics[i].variables) if i < len(metrics) else []
            if len(variables) != len(values) or any(
                    tuple(v.shape) != a.shape for v, a in zip(variables, values)):
                warnings.warn(f"BackupAndRestore could not restore the state of metric {i}; "
                              "this epoch's value of it covers only the batches since the "
                              "restart.", stacklevel=3)
                continue
            for variable, value in zip(variables, values):
                variable.assign(variable + value.astype(variable.dtype.name))

    def _restore_history_and_callbacks(self, pending):
        history = getattr(self.model, "history", None)
        if history is not None and hasattr(history, "history"):
            history.history = {k: list(v) for k, v in pending["history"].items()}
            history.epoch = list(pending["history_epochs"])
        saved = pending.get("callbacks") or {}
        reader = self._state_reader(pending)
        try:
            for index, callback in self._peers():
                key = f"{index}:{type(callback).__name__}"
                if key not in saved:
                    continue
                count = saved[key].get("best_weights") if isinstance(saved[key], dict) else None
                arrays = [reader.read(f"callbacks/{index}", str(k), None)
                          for k in range(count or 0)]
                _set_callback_state(callback, saved[key], arrays)
        finally:
            reader.close()

    def on_train_batch_begin(self, batch, logs=None):
        self._flush()
        pending = self._pending
        if pending is None or pending.get("rng_restored"):
            return
        first = int(pending["batch"]) + 1
        if batch < first:
            warnings.warn(
                f"BackupAndRestore saved the state after batch {first - 1} of epoch "
                f"{pending['epoch']}, but the training loop restarted the epoch at batch "
                f"{batch}: it does not honour `model._initial_step`, so those batches run "
                "again.", stacklevel=2)
            self._pending = None
            return
        self._restore_batch_rng(pending)

    def _restore_batch_rng(self, pending):
        _set_np_state(pending["numpy_rng"])
        _set_tapeflow_rng_state(pending["tapeflow_rng"])
        _set_python_state(pending["python_rng"])
        pending["rng_restored"] = True
        self._pending = None

    def on_train_batch_end(self, batch, logs=None):
        self._merge_deferred_metrics()
        if self.save_freq == "epoch":
            return
        self._batches_seen += 1
        if self._batches_seen % self.save_freq == 0:
            self._snapshot(self._current_epoch, batch)

    def on_epoch_end(self, epoch, logs=None):
        pending = self._pending
        if pending is not None and not pending.get("rng_restored"):
            # The backup was taken after this epoch's last batch: no batch ran in this process,
            # so metrics built on a first batch do not exist; their values are the saved ones.
            if self._deferred_metrics and logs is not None:
                for key, value in (pending.get("metric_results") or {}).items():
                    logs.setdefault(key, value)
            self._deferred_metrics = None
            self._restore_batch_rng(pending)
        self._pending = None
        # A backup due after this epoch's last batch becomes the epoch-boundary backup (the
        # validation run has since reset the metrics); so does the per-epoch one.
        if self.save_freq == "epoch" or self._snap is not None:
            self._snapshot(epoch + 1, -1)

    def on_train_end(self, logs=None):
        self._flush()
        for attr in ("_initial_epoch", "_initial_step"):
            if hasattr(self.model, attr):
                try:
                    delattr(self.model, attr)
                except AttributeError:
                    pass
        if self.delete_checkpoint:
            for name in (CHECKPOINT, CHECKPOINT + ".bkp"):
                path = os.path.join(self.backup_dir, name)
                if os.path.exists(path):
                    os.remove(path)
            try:
                os.rmdir(self.backup_dir)
            except OSError:
                pass


def _metric_results(model):
    results = {}
    try:
        raw = model.get_metrics_result()
    except Exception:  # noqa: BLE001 - a metric that cannot report yet (unbuilt)
        return results
    for key, value in callbacks_mod.pythonify_logs(raw).items():
        if isinstance(value, float):
            results[key] = value
    return results


def _write_zip(fileobj, members):
    import zipfile
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in _MEMBERS:
            archive.writestr(name, members[name])


def _read_checkpoint(path):
    """(members, training state) of a checkpoint, checked like a `.keras` file + sha256."""
    limits = {"manifest.json": file_io.MAX_JSON_BYTES,
              "training_state.json": file_io.MAX_JSON_BYTES,
              "model.weights.h5": file_io.MAX_WEIGHTS_BYTES,
              "state.h5": file_io.MAX_WEIGHTS_BYTES}
    members = file_io.read_archive(path, limits, required=_MEMBERS)
    try:
        manifest = json.loads(members["manifest.json"])
        state = json.loads(members["training_state.json"])
    except (ValueError, RecursionError) as error:
        raise file_io.corrupt(path, f"its JSON cannot be read ({error}).") from None
    if manifest.get("format") != FORMAT or state.get("format") != FORMAT:
        raise file_io.corrupt(path, f"it is not a {FORMAT} checkpoint.")
    for name, digest in manifest.get("sha256", {}).items():
        if name not in members or hashlib.sha256(members[name]).hexdigest() != digest:
            raise file_io.corrupt(path, f"member {name!r} does not match its sha256 in the "
                                        "manifest (truncated or modified).")
    return members, state
