"""The office's daily routine around the board: the duty roster and the zero report."""
