"""The Admin page's Audit section: verify the event log's hash chains against the latest
exported chain heads (or heads uploaded), and download the heads of this verification."""

from __future__ import annotations

import json

import streamlit as st

from core.audit_chain import HeadsUnreadable, SavedHeads, saved_heads
from review_flows.audit_heads import latest_heads
from review_flows.audit_log import AuditReport, verify_log
from ui.resources import db_session, settings
from ui.widgets import plain

AUDIT = "admin_audit_report"
AUDIT_SOURCE = "admin_audit_heads_source"


def audit_section() -> None:
    """Verify the event log on request; the report is kept in the session across reruns."""
    st.subheader("Audit of the event log")
    st.caption(
        "Every event carries the hash of the one before it in its case, and a case's first "
        "event its facts. Verifying recomputes them all, names the first edited, inserted or "
        "deleted row of each case and each case row changed behind the application's back, "
        "and compares each chain with the latest exported heads: events cut off the end of a "
        "case, a rewritten chain and deleted cases show too."
    )
    earlier = st.file_uploader(
        "Other chain heads to compare with (optional; by default the latest export)",
        type=["json"],
        max_upload_size=1,
        key="audit_saved_heads",
    )
    if st.button("Verify the event log", key="audit_verify"):
        heads: SavedHeads | None
        source: str | None
        try:
            if earlier:
                heads, source = saved_heads(earlier.getvalue().decode("utf-8")), earlier.name
            else:
                latest = latest_heads(settings().resolved_audit_heads_dir)
                heads, source = (latest.saved, latest.path.name) if latest else (None, None)
        except (UnicodeDecodeError, HeadsUnreadable) as unreadable:
            st.error(f"{plain(earlier.name) if earlier else 'Exported heads'}: {plain(unreadable)}")
            return
        with st.spinner("Recomputing every event's hash"), db_session() as session:
            st.session_state[AUDIT] = verify_log(session, heads)
        st.session_state[AUDIT_SOURCE] = source
    source = st.session_state.get(AUDIT_SOURCE)
    if AUDIT in st.session_state:
        st.caption(
            f"Compared with the chain heads in {source}."
            if source
            else "No exported chain heads yet: a deleted last event or a rewritten chain "
            "cannot be seen. Backups and the daily sweep export them."
        )
    report: AuditReport | None = st.session_state.get(AUDIT)
    if report is None:
        return
    if report.intact:
        st.success(
            f"The event log is intact: {report.events} events in {report.cases} cases.",
            icon=":material/verified:",
        )
    else:
        st.error(
            f"{report.broken_cases} of {report.cases} cases do not verify. Restore them "
            "from a backup and find out who had write access to the database.",
            icon=":material/gpp_bad:",
        )
        for found in report.breaks:
            st.markdown(f"- {plain(found.describe())}")
    st.download_button(
        "Download the chain heads (JSON)",
        json.dumps(report.to_dict(), indent=2),
        file_name="cspr-audit-heads.json",
        mime="application/json",
        key="audit_heads",
    )
