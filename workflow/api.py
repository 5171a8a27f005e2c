"""No API endpoints yet: comments, documents and channels are pages (see docs/workflow.md)."""

routes: list = []
