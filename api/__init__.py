"""The ways in: the HTTP app (``api.app.create_app``) and the ``secondlock`` CLI."""
