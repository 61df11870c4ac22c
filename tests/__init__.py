"""caseaudit test suite."""
