"""Pure rules of the insights app: no ORM, no requests."""
