"""Notices (reminders, escalations, digests, event follow-ups) and the channels that carry them."""
