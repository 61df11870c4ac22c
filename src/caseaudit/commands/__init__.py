"""Sub-commands of the ``caseaudit`` CLI, one small module each, all calling services."""
