"""tf.compat: ``tf.compat.v1``, the TensorFlow 1 names tapeflow implements.

(``tapeflow run``'s import aliases, which make ``import tensorflow`` give tapeflow, live in
``tapeflow.aliases``.)
"""
from tapeflow.compat import v1  # noqa: F401
