"""Engine hooks (the benchmark table hook lives in mmdiffir.evaluation)."""
