"""The visualizer's model, free of Qt: the spec (one frozen value for everything on screen), kernel
presets, and the road from a spec and an image to the engine's arrays and the trace (numpy only)."""
