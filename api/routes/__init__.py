"""The routes under ``/v1``. Routes call use cases; they never query or commit."""
