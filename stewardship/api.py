"""No API yet: scorecards and decisions are HR-sensitive and live on managing partners' pages only."""

routes: list = []
