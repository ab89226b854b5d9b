"""keras.utils.Progbar: Keras 3's progress bar, and a quiet one for log files.

On a terminal or in Jupyter the bar is Keras 3's, byte for byte: a bold step counter, a green
and grey bar of '━', ETA or elapsed time, time per step and the metrics, redrawn in place with
backspaces and a carriage return. ``NO_COLOR`` or ``TERM=dumb`` drops the colour codes.

When stdout is a file or a pipe (a log, ``tee``, a CI job), Keras 3 still writes the redraws
(``\\r``, dozens of ``\\b`` and ANSI codes per update); tapeflow instead writes one plain line
when the bar finishes -- the same text, without control characters:

    3/3 ━━━━━━━━━━━━━━━━━━━━ 1s 64ms/step - accuracy: 0.3875 - loss: 0.7598

Streams that cannot encode '━' get '=' (as Keras's fallback does).

    >>> from tapeflow.keras.utils import progbar
    >>> bar = progbar.Progbar(3)
    >>> for step in range(3):
    ...     bar.update(step + 1, [("loss", 0.5)])  # doctest: +SKIP
"""
import math
import os
import sys
import time

import numpy as np

BAR_CHAR = "━"
_BOLD, _GREEN, _GREY, _RESET = "\x1b[1m", "\33[32m", "\33[37m", "\x1b[0m"


def interactive_stdout():
    """True on a terminal, in Jupyter or PyCharm: where a bar can be redrawn in place."""
    stdout = sys.stdout
    return bool((hasattr(stdout, "isatty") and stdout.isatty())
                or "ipykernel" in sys.modules or "PYCHARM_HOSTED" in os.environ)


def color_enabled():
    return "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def write(message):
    """Write to the current sys.stdout, replacing '━' where the stream cannot encode it."""
    stream = sys.stdout
    try:
        stream.write(message)
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "utf-8"
        message = message.replace(BAR_CHAR, "=").encode(encoding, errors="ignore")
        stream.write(message.decode(encoding))
    stream.flush()


def format_value(value):
    """Keras's metric format: 4 decimals, or scientific when |v| <= 1e-3."""
    return f" {value:.4f}" if abs(value) > 1e-3 else f" {value:.4e}"


def format_time(time_per_unit, unit_name):
    if time_per_unit >= 1 or time_per_unit == 0:
        return f" {time_per_unit:.0f}s/{unit_name}"
    if time_per_unit >= 1e-3:
        return f" {time_per_unit * 1000.0:.0f}ms/{unit_name}"
    return f" {time_per_unit * 1000000.0:.0f}us/{unit_name}"


def format_eta(eta):
    if eta > 3600:
        return "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
    if eta > 60:
        return "%d:%02d" % (eta // 60, eta % 60)
    return "%ds" % eta


class Progbar:
    """Displays a progress bar (Keras 3's signature and output).

    Args:
        target: total number of steps expected, None if unknown.
        width: bar width in characters.
        verbose: 0 silent, 1 the bar, 2 one line when finished.
        interval: minimum seconds between redraws.
        stateful_metrics: names whose values are shown as given (others are averaged).
        stateless_metrics: names that are averaged (all others shown as given).
        unit_name: 'step' or 'sample'.
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 stateless_metrics=None, unit_name="step"):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Only one of `stateful_metrics` or `stateless_metrics` can be "
                             "provided. `stateful_metrics` is used to make metrics stateless "
                             "by default (with an exclusion list), while `stateless_metrics` "
                             "is used to make metrics stateful by default (with an exclusion "
                             "list).")
        self.target, self.width, self.verbose = target, width, verbose
        self.interval, self.unit_name = interval, unit_name
        if stateful_metrics is not None:
            self.stateful_metrics, self.stateless_metrics = set(stateful_metrics), None
        elif stateless_metrics is not None:
            self.stateful_metrics, self.stateless_metrics = None, set(stateless_metrics)
        else:
            self.stateful_metrics, self.stateless_metrics = set(), None
        self._dynamic_display = interactive_stdout()
        self._color = color_enabled()
        self._seen_so_far = 0
        self._values = {}  # name -> [weighted sum, count]
        self._values_order = []
        self._start = time.time()
        self._last_update = 0
        self._time_after_first_step = None
        self._prev_total_width = 0

    def update(self, current, values=None, finalize=None):
        """Record step ``current`` with ``values`` [(name, value)] and redraw if it is time."""
        if finalize is None:
            finalize = False if self.target is None else current >= self.target
        self._accumulate(current, values or [], finalize)
        self._seen_so_far = current
        now = time.time()
        time_per_unit = self._estimate_step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            if self._dynamic_display:
                self._draw(current, now, time_per_unit, finalize)
            elif finalize:
                write(self._line(current, now, time_per_unit, finalize, False)[0] + "\n")
        elif self.verbose == 2 and finalize and self.target is not None and self.target > 0:
            write(self._summary_line(current, now, time_per_unit))
        self._last_update = now

    def add(self, n, values=None):
        self.update(self._seen_so_far + n, values)

    # -- internals -----------------------------------------------------------------------------
    def _is_stateless(self, name):
        if self.stateful_metrics is not None:
            return name not in self.stateful_metrics
        return name in self.stateless_metrics

    def _accumulate(self, current, values, finalize):
        for name, value in values:
            if name not in self._values_order:
                self._values_order.append(name)
            if not self._is_stateless(name) or finalize:
                self._values[name] = [value, 1]
                continue
            # Averaged metrics are weighted by the steps since the last update.
            base = max(current - self._seen_so_far, 1)
            if name not in self._values:
                self._values[name] = [value * base, base]
            else:
                self._values[name][0] += value * base
                self._values[name][1] += base

    def _average(self, name):
        total, count = self._values[name]
        if not isinstance(total, float):  # as Keras: np.mean keeps a float32 a float32
            total = np.mean(total.numpy() if hasattr(total, "numpy") else total)
        return total / max(1, count)

    def _line(self, current, now, time_per_unit, finalize, styled):
        """(text, number of invisible characters) of the bar line, Keras's layout."""
        bold, green, grey, reset = (_BOLD, _GREEN, _GREY, _RESET) if styled else ("",) * 4
        hidden = 0
        if self.target is not None and self.target > 0:
            numdigits = int(math.log10(self.target)) + 1
            bar = f"{bold}{f'%{numdigits}d/%d' % (current, self.target)}{reset} "
            hidden += len(bold) + len(reset)
            prog_width = int(self.width * float(current) / self.target)
            if prog_width > 0:
                bar += f"{green}{BAR_CHAR * prog_width}{reset}"
                hidden += len(green) + len(reset)
            bar += f"{grey}{BAR_CHAR * (self.width - prog_width)}{reset}"
            hidden += len(grey) + len(reset)
        else:
            bar = "%7d/Unknown" % current
        if self.target is not None and self.target > 0 and not finalize:
            info = f" {bold}{format_eta(time_per_unit * (self.target - current))}{reset}"
        else:
            info = f" {bold}{now - self._start:.0f}s{reset}"
        hidden += len(bold) + len(reset)
        info += format_time(time_per_unit, self.unit_name)
        for name in self._values_order:
            info += f" - {name}:" + format_value(self._average(name))
        return bar + info, hidden

    def _draw(self, current, now, time_per_unit, finalize):
        text, hidden = self._line(current, now, time_per_unit, finalize, self._color)
        # Keras counts 8 or 9 invisible characters per escape pair; without colour, none.
        total_width = len(text) - hidden
        message = "\b" * self._prev_total_width + "\r" + text
        if self._prev_total_width > total_width:
            message += " " * (self._prev_total_width - total_width)
        if finalize:
            message += "\n"
        write(message)
        self._prev_total_width = total_width

    def _summary_line(self, current, now, time_per_unit):
        numdigits = int(math.log10(self.target)) + 1
        info = f"{f'%{numdigits}d/%d' % (current, self.target)} - {now - self._start:.0f}s"
        info += f" -{format_time(time_per_unit, self.unit_name)}"
        for name in self._values_order:
            avg = self._average(name)
            # Keras tests avg > 1e-3 here (not abs): negative values print in e-notation.
            info += f" - {name}:" + (f" {avg:.4f}" if avg > 1e-3 else f" {avg:.4e}")
        return info + "\n"

    def _estimate_step_duration(self, current, now):
        """Seconds per step, leaving out the (slow, warm-up) first step once there are more."""
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            time_per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            time_per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return time_per_unit

