"""Pure rules of the insights app: no ORM, no requests; plain values in, plain values out."""
