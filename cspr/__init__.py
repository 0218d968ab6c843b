"""The composition root: the one CLI, the deployments of every flow, backup and restore of the
whole system. The only package (with ``ui/`` and ``app.py``) that imports both halves."""
