"""NumPy as tapeflow's array backend."""
import numpy

xp = numpy
