"""Reading captured mail: pure parsing (`message`, `calendar`, `signature`), then the decisions and writes
in `capture.services`."""
