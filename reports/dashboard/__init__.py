"""Portfolio dashboard, whitespace map, managing-partner overview and partner home: reads and their charts."""
