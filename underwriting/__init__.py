"""The book of business and its use cases: quote, bind, settle, and the records behind them.

Use cases (the modules at this level) open a unit of work and are the only code that commits.
Persistence lives in ``underwriting.db``, the only package that imports SQLAlchemy.
"""
