"""tapeflow: TensorFlow's eager core and Keras, in readable Python on NumPy."""
__version__ = "0.1.0"
