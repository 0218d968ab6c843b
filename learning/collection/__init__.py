"""A national collection ingested by many workers and committed by one index builder.

Workers stage documents (extracted, split and embedded) in the case database, one transaction
per document keyed by its content hash (:mod:`learning.collection.staging`); a coordinator
splits the collection into batches, watches them and sends again whatever a lost worker left
unstaged (:mod:`learning.collection.coordinator`, decisions in :mod:`learning.collection.plan`);
then one builder commits the staged units into the learning index under its writer lock
(:mod:`learning.collection.builder`).
"""
