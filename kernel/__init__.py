"""The shared kernel: small, framework-free building blocks that every context may use.

Only what is truly the same everywhere belongs here (pagination today). A context's own
concepts never do: contexts share nothing but this package and each other's ``api.py`` through
ports wired in ``src/``.
"""
