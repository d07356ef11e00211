"""The SecondLock actuarial library: rating model, severity, aggregate loss, credibility.

numpy and scipy only; nothing of the database, HTTP or the application (DESIGN.md
section 5). The rating engine arrives with the pricing issue; this package exists so that
the import rules hold from the first commit.
"""

__all__: list[str] = []
