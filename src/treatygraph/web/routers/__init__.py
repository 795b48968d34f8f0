"""One router per resource; each parses input, calls the core, and shapes the output."""
