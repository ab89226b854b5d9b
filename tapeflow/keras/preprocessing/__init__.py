"""keras.preprocessing: the Keras 2 spellings that Keras 3 keeps (`sequence.pad_sequences`)."""

from tapeflow.keras.preprocessing import sequence

__all__ = ["sequence"]
