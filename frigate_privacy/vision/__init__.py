"""Model registry, ONNX detectors and the tracker: pixels in, boxes out. Knows nothing of Frigate."""
