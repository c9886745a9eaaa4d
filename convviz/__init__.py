"""convviz: convolution made visible."""

__version__ = "0.1.0"
