"""The audit form: one case file's audit, its autosave, and the dialogs it opens.

``form_view.AuditFormView`` is the form itself; the other modules are its parts (sections,
questions, guidance, the overall panel, autosave) and its dialogs (raise an action, "Child may
be at risk now", sign off, reopen). Modules are imported where they are used, so opening the
window does not load the form until an audit is opened.
"""
