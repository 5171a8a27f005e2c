"""Portfolio dashboard, whitespace map, managing-partner overview and partner home."""
