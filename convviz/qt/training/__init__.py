"""The Training view: train the cat/dog CNN live in the window and look inside it.

``TrainingView`` is the page; ``TrainingView.openInVisualizer(ConvArguments, label)`` carries a
paused run's layer to the visualizer (``Document.show_arrays``). The trainer runs on its own
thread (``session.TrainingSession``); ``layer_pass.layer_arguments`` cuts a layer's real
backward pass down to one image, some channels and a watchable window.
"""

from .layer_pass import layer_arguments
from .view import TrainingView

__all__ = ["TrainingView", "layer_arguments"]
