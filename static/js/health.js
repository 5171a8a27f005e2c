// The health pages need no script of their own yet: htmx attributes drive the what-if form and the
// recompute progress. Kept so the pages have one place for behaviour that CSP allows.
