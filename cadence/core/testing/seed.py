"""What the benchmark data sets (`seed_large`, `seed_gradebook`) share: their accounts' email domain."""

DOMAIN = "bench.cadence.test"
