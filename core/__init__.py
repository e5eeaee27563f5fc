"""The kernel every app builds on: one way to write a rule, a transition, a side effect and a
staff screen. It sits at the bottom of the stack: it imports no project app.

- `core.policy`: permission policies (`Verdict`, `allows()`, `queryset()`), one table per app.
- `core.fsm`: state machines declared once per model, fired by one `fire()`.
- `core.errors`: turning a service error into a form error or an HTTP status, by its code.
- `core.notify` / `core.tasks`: side effects after commit, through the task queue.
- `core.views`, `core.admin`: shared view plumbing (confirm-then-act, read-only admin).
"""
