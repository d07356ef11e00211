"""Request and response bodies, separate from the tables: ``XCreate`` in, ``XRead`` out."""
