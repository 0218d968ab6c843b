"""The Prefect flows that run learning's own work: ingest, collection, tagger retraining."""
