"""keras.callbacks: hooks the training loop calls, and the callbacks Keras ships.

The trainer builds one `CallbackList(callbacks, add_history=True, add_progbar=verbose != 0,
model=model, verbose=..., epochs=..., steps=...)` and calls its ``on_*`` hooks; the list turns
the logs into Python floats (sorted by name, as Keras 3) and forwards them to every callback.

    >>> from tapeflow.keras import callbacks
    >>> seen = []
    >>> cb = callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(logs["loss"]))
    >>> hooks = callbacks.CallbackList([cb], add_history=True, epochs=1, steps=1, verbose=0)
    >>> hooks.on_train_begin(); hooks.on_epoch_end(0, {"loss": 0.5}); seen
    [0.5]
"""
import collections
import csv
import math
import os
import warnings

import numpy as np


def _progbar_module():
    # keras.utils is a package of several modules: load it when a bar is first drawn.
    from tapeflow.keras.utils import progbar
    return progbar


def _print(message):
    _progbar_module().write(f"{message}\n")


class Callback:
    """Base class: override any ``on_*`` hook. ``self.model`` and ``self.params`` are set by
    the training loop (``params``: verbose, epochs, steps)."""

    def __init__(self):
        self.params = None
        self._model = None

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self._model = model

    @property
    def model(self):
        return self._model

    @model.setter
    def model(self, model):  # Keras 2 code assigns self.model directly
        self._model = model

    def on_batch_begin(self, batch, logs=None):
        """A Keras 2 alias: the default on_train_batch_begin calls it."""

    def on_batch_end(self, batch, logs=None):
        """A Keras 2 alias: the default on_train_batch_end calls it."""

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        pass

    def on_test_batch_end(self, batch, logs=None):
        pass

    def on_predict_batch_begin(self, batch, logs=None):
        pass

    def on_predict_batch_end(self, batch, logs=None):
        pass

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_test_begin(self, logs=None):
        pass

    def on_test_end(self, logs=None):
        pass

    def on_predict_begin(self, logs=None):
        pass

    def on_predict_end(self, logs=None):
        pass


def pythonify_logs(logs):
    """Flatten nested dicts and turn values into Python floats where possible, sorted by key."""
    result = {}
    for key, value in sorted((logs or {}).items()):
        if isinstance(value, dict):
            result.update(pythonify_logs(value))
            continue
        try:
            value = float(value.numpy() if hasattr(value, "numpy") else value)
        except (TypeError, ValueError):
            pass
        result[key] = value
    return result


# The base class's per-batch hooks that do nothing but call their Keras 2 alias.
_BATCH_ALIASES = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}


def _listens(callback, hook):
    """False only when ``hook`` is certainly the base class's no-op for this callback: not
    overridden by its class or set on the instance (LambdaCallback), nor its alias, and no
    custom attribute lookup that could hand out something else."""
    base = getattr(Callback, hook)
    cls = type(callback)
    if getattr(cls, hook, None) is not base or hook in getattr(callback, "__dict__", ()) or \
            cls.__getattribute__ is not object.__getattribute__ or hasattr(cls, "__getattr__"):
        return True
    alias = _BATCH_ALIASES.get(hook)
    return alias is not None and _listens(callback, alias)


def _flatten(callbacks):
    out = []
    for cb in callbacks or []:
        out.extend(_flatten(cb) if isinstance(cb, (list, tuple)) else [cb])
    return out


class CallbackList(Callback):
    """Calls every callback's hooks; adds History and ProgbarLogger on request (Keras 3)."""

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None,
                 **params):
        super().__init__()
        self.callbacks = _flatten(callbacks)
        for callback in self.callbacks:
            callback._callback_list = self  # BackupAndRestore saves its siblings' state
        self._history = next((c for c in self.callbacks if isinstance(c, History)), None)
        self._progbar = next((c for c in self.callbacks if isinstance(c, ProgbarLogger)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)
        self._depth = 0
        self._listeners = {}  # hook -> the callbacks that override it (per-batch hooks)
        self.set_model(model)
        self.set_params(params)

    def append(self, callback):
        callback._callback_list = self
        self.callbacks.append(callback)
        self._listeners.clear()

    def set_params(self, params):
        self.params = params
        if params:
            for callback in self.callbacks:
                callback.set_params(params)

    def set_model(self, model):
        if not model:
            return
        super().set_model(model)
        if self._history:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    def _call(self, hook, *args, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            getattr(callback, hook)(*args, logs)

    def _begin(self):
        self._depth += 1
        self._listeners.clear()  # looked up afresh for each fit/evaluate/predict

    def _end(self):
        self._depth -= 1
        if self._depth < 0:
            raise ValueError("`on_xxx_end` called without corresponding `on_xxx_begin`")

    def on_train_begin(self, logs=None):
        self._begin()
        self._call("on_train_begin", logs=logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs=logs)
        self._end()

    def on_test_begin(self, logs=None):
        self._begin()
        self._call("on_test_begin", logs=logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", logs=logs)
        self._end()

    def on_predict_begin(self, logs=None):
        self._begin()
        self._call("on_predict_begin", logs=logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", logs=logs)
        self._end()

    def on_epoch_begin(self, epoch, logs=None):
        self._listeners.clear()
        self._call("on_epoch_begin", epoch, logs=logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs=logs)

    def _call_batch(self, hook, batch, logs):
        # Per-batch hooks run every step: when no callback does anything there (History
        # alone, fit's default without a progress bar), skip the loop and pythonify_logs.
        # Who listens is looked up once per epoch (and again after an append).
        listening = self._listeners.get(hook)
        if listening is None:
            listening = self._listeners[hook] = any(_listens(c, hook) for c in self.callbacks)
        if listening:
            self._call(hook, batch, logs=logs)

    def needs_batch_logs(self, hook):
        """Whether some callback reads the logs given to per-batch ``hook``: the trainer skips
        computing the metric results every step when none does."""
        return any(_listens(c, hook) and getattr(c, "_reads_batch_logs", True)
                   for c in self.callbacks)

    def on_batch_begin(self, batch, logs=None):
        self._call_batch("on_batch_begin", batch, logs)

    def on_batch_end(self, batch, logs=None):
        self._call_batch("on_batch_end", batch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call_batch("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call_batch("on_train_batch_end", batch, logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._call_batch("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call_batch("on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call_batch("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call_batch("on_predict_batch_end", batch, logs)

    def __iter__(self):
        return iter(self.callbacks)


class History(Callback):
    """Records the logs of every epoch: ``history.history['loss']``, ``history.epoch``.

    ``fit`` returns it; ``plot()`` draws the curves (matplotlib is imported only then).
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self

    def plot(self, metrics=None, ax=None, show=False):
        """One panel per metric, training and validation curves against the epoch number.

        Args:
            metrics: names to draw (default: every key without the 'val_' prefix).
            ax: a matplotlib Axes (one metric) or a sequence of Axes, to draw into.
            show: call ``plt.show()`` at the end.
        Returns:
            The matplotlib Figure.
        """
        import matplotlib.pyplot as plt  # heavy: only when a plot is asked for
        names = list(metrics) if metrics else [k for k in self.history
                                               if not k.startswith("val_")]
        if not names:
            raise ValueError("History.plot: nothing to plot; the history is empty. Call fit "
                             "first (it returns the History).")
        if ax is None:
            fig, axes = plt.subplots(1, len(names), figsize=(5 * len(names), 3.5),
                                     squeeze=False)
            axes = list(axes[0])
        else:
            axes = list(ax) if isinstance(ax, (list, tuple, np.ndarray)) else [ax]
            fig = axes[0].figure
        epochs = [e + 1 for e in self.epoch] or None
        for name, axis in zip(names, axes):
            for key, label in ((name, "training"), (f"val_{name}", "validation")):
                if key in self.history:
                    values = self.history[key]
                    xs = epochs if epochs and len(epochs) == len(values) else \
                        range(1, len(values) + 1)
                    axis.plot(list(xs), values, marker="o", markersize=3, label=label)
            axis.set_title(name)
            axis.set_xlabel("epoch")
            axis.legend()
        fig.tight_layout()
        if show:
            plt.show()
        return fig


class ProgbarLogger(Callback):
    """Prints 'Epoch i/n' and a Progbar per epoch (verbose=1), or one line per epoch (2)."""

    def __init__(self, count_mode=None, stateful_metrics=None):
        super().__init__()
        self.seen = 0
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params):
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def on_train_begin(self, logs=None):
        self._called_in_fit = True

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._reset_progbar()
            self._maybe_init_progbar()

    def on_predict_begin(self, logs=None):
        self._reset_progbar()
        self._maybe_init_progbar()

    def on_epoch_begin(self, epoch, logs=None):
        self._reset_progbar()
        self._maybe_init_progbar()
        if self.verbose and self.epochs > 1:
            _print(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch, logs=None):
        self._update_progbar(batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._update_progbar(batch, None)

    def on_epoch_end(self, epoch, logs=None):
        self._finalize_progbar(logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_end(self, logs=None):
        self._finalize_progbar(logs)

    @property
    def _reads_batch_logs(self):
        """Only a bar redrawn in place shows per-batch values; a line per epoch (a pipe, a
        file, verbose=2) shows the epoch's logs, which it is given at the epoch's end."""
        return self.verbose == 1 and _progbar_module().interactive_stdout()

    def _reset_progbar(self):
        self.seen = 0
        self.progbar = None

    def _maybe_init_progbar(self):
        if self.progbar is None:
            self.progbar = _progbar_module().Progbar(target=self.target, verbose=self.verbose,
                                                     unit_name="step", stateless_metrics=set())

    def _update_progbar(self, batch, logs=None):
        self._maybe_init_progbar()
        self.seen = batch + 1  # one-indexed
        if self.verbose == 1:
            self.progbar.update(self.seen, list((logs or {}).items()), finalize=False)

    def _finalize_progbar(self, logs):
        self._maybe_init_progbar()
        if self.target is None:
            self.target = self.seen
            self.progbar.target = self.target
        # the training entries first, then val_ ones: the order the bar shows when per-batch
        # logs (training entries only) came before the epoch's
        items = sorted((logs or {}).items(), key=lambda kv: kv[0].startswith("val_"))
        self.progbar.update(self.target, items, finalize=True)


# -- monitoring callbacks ----------------------------------------------------------------------
_MAXIMIZED = ("acc", "auc", "precision", "recall", "f1", "r2")


class MonitorCallback(Callback):
    """Shared by EarlyStopping and ReduceLROnPlateau: is the monitored value improving?"""

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto "
                          "mode.", stacklevel=2)
            mode = "auto"
        self.monitor, self.mode, self.best = monitor, mode, baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _model_metrics(self):
        found, todo = [], list(getattr(self.model, "metrics", None) or [])
        while todo:
            m = todo.pop(0)
            inner = getattr(m, "metrics", None)
            if isinstance(inner, (list, tuple)) and inner is not m:
                todo.extend(inner)
            found.append(m)
        return found

    def _direction(self):
        name = self.monitor.removeprefix("val_")
        if name == "loss" or name.endswith("_loss"):
            return "min"
        for m in self._model_metrics():
            if getattr(m, "name", None) == name and hasattr(m, "_direction"):
                return "max" if m._direction == "up" else "min"
        if any(key in name for key in _MAXIMIZED):  # Keras 2's rule for 'acc'
            return "max"
        if any(key in name for key in ("error", "mse", "mae", "crossentropy", "hinge")):
            return "min"
        return None

    def _set_monitor_op(self):
        direction = self.mode if self.mode != "auto" else self._direction()
        if direction is None:
            raise ValueError(f"{type(self).__name__} callback received monitor={self.monitor}, "
                             "but Keras isn't able to automatically determine whether that "
                             "metric should be maximized or minimized. Pass `mode='max'` in "
                             "order to monitor based on the highest metric value, or pass "
                             "`mode='min'` in order to use the lowest value.")
        self.monitor_op = np.less if direction == "min" else np.greater
        if direction == "min":
            self.min_delta *= -1

    def _is_improvement(self, monitor_value, reference_value):
        if reference_value is None:
            return True
        return bool(self.monitor_op(monitor_value - self.min_delta, reference_value))


class EarlyStopping(MonitorCallback):
    """Stop training when ``monitor`` has not improved for ``patience`` epochs.

    Args:
        monitor: a logs key ('val_loss', 'val_accuracy' ...).
        min_delta: smallest change that counts as an improvement.
        patience: epochs without improvement before stopping.
        mode: 'min', 'max' or 'auto' (from the metric).
        baseline: a value the monitor must beat before patience starts counting down.
        restore_best_weights: put back the weights of the best epoch when training ends.
        start_from_epoch: epochs to wait before monitoring.
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience, self.verbose, self.baseline = patience, verbose, baseline
        self.wait, self.stopped_epoch = 0, 0
        self.restore_best_weights = restore_best_weights
        self.best_weights = None
        self.start_from_epoch = start_from_epoch

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch = 0, 0
        self.best, self.best_weights, self.best_epoch = None, None, 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            _print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                _print("Restoring model weights from the end of the best epoch: "
                       f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(f"Early stopping conditioned on metric `{self.monitor}` which is not "
                          f"available. Available metrics are: {','.join(logs)}", stacklevel=2)
        return value


def _current_lr(optimizer):
    lr = optimizer.learning_rate
    return float(lr.numpy() if hasattr(lr, "numpy") else lr)


class ReduceLROnPlateau(MonitorCallback):
    """Multiply the learning rate by ``factor`` after ``patience`` epochs without improvement."""

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, **kwargs):
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0. Received "
                             f"factor={factor}")
        self.factor, self.min_lr, self.patience = factor, min_lr, patience
        self.verbose, self.cooldown = verbose, cooldown
        self.cooldown_counter, self.wait = 0, 0

    def _reset(self):
        self.best, self.cooldown_counter, self.wait = None, 0, 0

    def on_train_begin(self, logs=None):
        self._reset()

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def _reduce(self, optimizer, epoch):
        old_lr = _current_lr(optimizer)
        if old_lr <= np.float32(self.min_lr):
            return False
        new_lr = max(old_lr * self.factor, self.min_lr)
        optimizer.learning_rate = new_lr
        if self.verbose > 0:
            _print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
        return True

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs if logs is not None else {}
        logs["learning_rate"] = _current_lr(self.model.optimizer)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Learning rate reduction is conditioned on metric `{self.monitor}` "
                          f"which is not available. Available metrics are: {','.join(logs)}.",
                          stacklevel=2)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best, self.wait = current, 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce(self.model.optimizer, epoch):
                self.cooldown_counter, self.wait = self.cooldown, 0


class LearningRateScheduler(Callback):
    """Set the learning rate at each epoch start to ``schedule(epoch, lr)`` (or
    ``schedule(epoch)``)."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        try:
            lr = self.schedule(epoch, _current_lr(optimizer))
        except TypeError:  # the old one-argument form
            lr = self.schedule(epoch)
        if hasattr(lr, "numpy"):
            lr = lr.numpy()
        if not isinstance(lr, (float, np.float32, np.float64)):
            raise ValueError(f"The output of the `schedule` function should be a float. Got: "
                             f"{lr}")
        optimizer.learning_rate = float(lr)
        if self.verbose > 0:
            _print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = _current_lr(self.model.optimizer)


class TerminateOnNaN(Callback):
    """Stop training (or raise) as soon as a batch loss is NaN or infinite."""

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and (math.isnan(loss) or math.isinf(loss)):
            if self.raise_error:
                raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: "
                                   f"{loss}. Terminating training immediately.")
            _print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback from plain functions: ``LambdaCallback(on_epoch_end=lambda e, logs: ...)``.

    on_epoch_begin/end(epoch, logs), on_train_begin/end(logs), on_train_batch_begin/end(batch,
    logs); other hooks (on_batch_end, on_test_end ...) may be given as keywords too.
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 **kwargs):
        super().__init__()
        self.__dict__.update(kwargs)
        hooks = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end,
                 "on_train_begin": on_train_begin, "on_train_end": on_train_end,
                 "on_train_batch_begin": on_train_batch_begin,
                 "on_train_batch_end": on_train_batch_end}
        for name, fn in hooks.items():
            if fn is not None:
                setattr(self, name, fn)


class CSVLogger(Callback):
    """Write each epoch's logs as a CSV row (header: epoch and the sorted log keys)."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.sep, self.filename, self.append = separator, os.fspath(filename), append
        self.writer, self.keys, self.append_header, self.csv_file = None, None, True, None

    def on_train_begin(self, logs=None):
        mode = "w"
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename) as f:
                    self.append_header = not bool(len(f.readline()))
            mode = "a"
        if self.csv_file and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, mode, newline="")
        self.writer, self.keys = None, None

    @staticmethod
    def _value(v):
        if isinstance(v, str):
            return v
        if isinstance(v, collections.abc.Iterable) and not (
                isinstance(v, np.ndarray) and v.ndim == 0):
            return f'"[{", ".join(map(str, v))}]"'
        return v

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(k.startswith("val_") for k in self.keys):
                self.keys.extend([f"val_{k}" for k in self.keys])
        if not self.writer:
            sep = self.sep

            class Dialect(csv.excel):
                delimiter = sep

            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys,
                                         dialect=Dialect)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((k, self._value(logs.get(k, "NA"))) for k in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None


class TensorBoard(Callback):
    """Accepted so that TensorBoard code runs; tapeflow writes no event files (a no-op)."""

    def __init__(self, log_dir="logs", **kwargs):
        super().__init__()
        self.log_dir = os.fspath(log_dir)


def __getattr__(name):
    # The checkpoint callbacks live with the file format (keras.saving), loaded on first use.
    if name in ("ModelCheckpoint", "BackupAndRestore"):
        from tapeflow.keras.saving import checkpoint_callbacks
        return getattr(checkpoint_callbacks, name)
    raise AttributeError(f"module 'tapeflow.keras.callbacks' has no attribute '{name}'")
