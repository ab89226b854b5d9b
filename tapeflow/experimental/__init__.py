"""tf.experimental: ``dlpack`` (zero-copy exchange with NumPy and other array libraries)."""
from tapeflow.experimental import dlpack  # noqa: F401
