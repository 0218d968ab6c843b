"""Prefect flows: thin wrappers that call the services (sweep, jobs, ingest) task by task.

Each flow reads the clock and the settings at its edge, opens short sessions, and leaves all
logic to services that are tested without Prefect.
"""
