"""Case: one case's events, milestones (with their rules, sources and both readings of a rule
read two ways), the form to record the next event, its actions, notices and jobs, the similar
reviews saved to it, and a rapid review draft to download."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import streamlit as st

from core.access import Viewer
from core.errors import WorkbenchError
from core.flow_runs import FlowRunsView, case_flow_runs
from core.labels import event_choice, event_label
from learning.uploads import ALLOWED_SUFFIXES
from review_flows.case_details import (
    CaseDetails,
    add_case_action,
    case_details,
    record_next_event,
    visible_partnerships,
)
from review_flows.dispatch import dispatch_event_jobs
from review_flows.models import JobKind
from review_flows.publications import (
    DroppedReport,
    ReportRefused,
    ReportUpload,
    SubmittedReport,
)
from ui.auth import require_page
from ui.rapid_review_section import show_rapid_review
from ui.resources import db_session, settings
from ui.widgets import days_label, plain, status_label

PICKED = "case_page_reference"  # the selectbox's key
PARTNER = "case_page_partnership"  # + ":REF": which partnership's REF, when the viewer sees two
NOTICE = "case_page_notice"  # what the last successful action said, shown after the rerun
# A case page reruns on every click; the Prefect server is asked again only after this long,
# after an event is recorded (it starts runs) or when the user asks.
FLOW_RUNS_TTL_SECONDS = 30
# While a job of the case is not done, its runs are read again every few seconds (for a few
# minutes at most), so that a run an event just started shows without asking
FLOW_RUNS_POLL_SECONDS = 4
FLOW_RUNS_POLLS = 45
FLOW_RUN_POLLS = "case_page_flow_run_polls"  # + ":<case id>": reads so far


def _remember_choice() -> None:
    # .get: a crafted websocket message may name a widget this run never drew
    picked = st.session_state.get(PICKED)
    if isinstance(picked, str):
        st.query_params["ref"] = picked
    st.query_params.pop("partnership", None)


def _show_case(details: CaseDetails) -> None:
    st.header(f"Case {details.timeline.case.reference}")
    st.markdown("\n".join(f"- **{name}:** {words}" for name, words in details.facts[1:]))


def _show_events(details: CaseDetails) -> None:
    st.header("Events")
    st.caption("In the order they were recorded. A corrected or voided event says so.")
    st.dataframe(
        [{"#": e.id, "Date": e.on.isoformat(), "Event": e.what, "Note": e.note or "",
          "Later": e.mark or "", "Recorded by": e.recorded_by} for e in details.events],
        hide_index=True, width="stretch",
    )  # fmt: skip


def _show_milestones(details: CaseDetails) -> None:
    st.header("Milestones")
    for line in details.milestones:
        days = (
            "" if line.done or line.working_days is None else f" · {days_label(line.working_days)}"
        )
        done = f" · done {line.done.isoformat()}" if line.done else ""
        due = line.due.isoformat() if line.due else "no due date"
        with st.expander(f"{status_label(line.status)} · {line.label} · {due}{done}{days}"):
            st.markdown(f"**Rule:** {line.rule}  \n**Who:** {line.responsible}")
            st.markdown(f"**Source:** {line.source}  \n**How sure:** {line.confidence}")
            if line.readings:
                st.info(line.readings)
            if line.note:
                st.caption(line.note)


def _record_form(details: CaseDetails, viewer: Viewer, reference: str, today: dt.date) -> None:
    st.header("Record the next event")
    if not details.may_record:
        st.info("Your role cannot record events; ask a panel member of the case's partnership.")
        return
    if not details.next_kinds:
        st.info("This case accepts no further events.")
        return
    events = {e.id: f"#{e.id} · {e.what} · {e.on.isoformat()}" for e in details.events}
    with st.form("record_event"):
        kind = st.selectbox("Event", details.next_kinds, format_func=event_choice)
        on = st.date_input("Date of the event", value=today, format="YYYY-MM-DD")
        note = st.text_area("Note (no names or personal details)", max_chars=2000)
        corrects = st.selectbox(
            "Event it corrects or voids", [None, *events],
            format_func=lambda i: "None" if i is None else events[i],
            help="Only to correct an earlier event's date (give the right date above) or to "
            "void one recorded in error (say why in the note).",
        )  # fmt: skip
        report = _report_fields()
        submitted = st.form_submit_button("Record event")
    if not submitted:
        return
    try:
        with db_session() as session:
            event = record_next_event(
                session, viewer, reference, kind=kind, on=on, note=note,
                corrects=corrects, report=report(), today=today,
                partnership=details.timeline.case.partnership, settings=settings(),
            )  # fmt: skip
            # what the event sets going starts now; a publication goes to a worker, never here
            jobs = dispatch_event_jobs(session, event.id, settings(), ingest_here=False)
    except WorkbenchError as refused:
        st.error(f"Not recorded: {plain(refused)}")
        return
    _recent_flow_runs.clear()
    st.session_state.pop(f"{FLOW_RUN_POLLS}:{details.timeline.case.id}", None)
    said = f"Recorded #{event.id}: {event_label(event.kind)}."
    if any(job.kind == JobKind.PUBLISH for job in jobs):
        said += " " + _publication_words()
    st.session_state[NOTICE] = said
    st.rerun()


def _report_fields() -> Callable[[], SubmittedReport | None]:
    """The report widgets of the record form (an upload; a drop-folder name if an admin set
    one up); returns what reads them once the form is submitted. No server path is asked."""
    config = settings()
    upload = st.file_uploader(
        "Published report (for published only, optional)", type=list(ALLOWED_SUFFIXES),
        max_upload_size=config.max_document_mb,
        help="The partnership's published review; it is added to the library by a worker.",
    )  # fmt: skip
    dropped = ""
    if config.publication_drop_dir is not None:
        dropped = st.text_input(
            "Or the file name of the report in the publication drop folder",
            help="A file your administrator put in the drop folder (its name only).",
        )

    def read() -> SubmittedReport | None:
        if upload is not None and dropped.strip():
            raise ReportRefused("upload the report or name it in the drop folder, not both")
        if upload is not None:
            return ReportUpload(upload.name, upload.getvalue())
        return DroppedReport(dropped.strip()) if dropped.strip() else None

    return read


def _publication_words() -> str:
    if settings().prefect_api_url:
        return (
            "The report goes to the library as a flow run of the workflow service; the Jobs "
            "table below says when it is in."
        )
    return (
        "No workflow service is configured, so the report waits as a job: it is added to the "
        "library at the next daily sweep; the Jobs table below says when it is in."
    )


def _action_form(details: CaseDetails, viewer: Viewer, reference: str, today: dt.date) -> None:
    """A small form to add an action on a recommendation (for those who record events)."""
    if not details.may_record:
        return
    with st.expander("Add an action", icon=":material/add_task:"), st.form("add_action"):
        ref = st.text_input("Recommendation number", max_chars=20, placeholder="e.g. R3")
        recommendation = st.text_area("Recommendation (no names or personal details)")
        owner = st.text_input("Owner (a role or agency)", max_chars=120)
        due = st.date_input("Due", value=today, format="YYYY-MM-DD")
        if not st.form_submit_button("Add action"):
            return
    try:
        with db_session() as session:
            add_case_action(
                session, viewer, reference, recommendation_ref=ref,
                recommendation=recommendation, owner=owner, due=due,
                partnership=details.timeline.case.partnership,
            )  # fmt: skip
    except WorkbenchError as refused:
        st.error(f"Not added: {plain(refused)}")
        return
    st.session_state[NOTICE] = f"Added the action on {ref.strip()}."
    st.rerun()


def _show_actions(details: CaseDetails, viewer: Viewer, reference: str, today: dt.date) -> None:
    st.header("Actions")
    if details.actions:
        st.dataframe(
            [{"Recommendation": f"{a.recommendation_ref}: {a.recommendation}", "Owner": a.owner,
              "Due": a.due.isoformat(), "Done": a.done.isoformat() if a.done else "not yet",
              "Evidence": a.evidence or ""} for a in details.actions],
            hide_index=True, width="stretch",
        )  # fmt: skip
    else:
        st.caption("No actions recorded yet.")
    _action_form(details, viewer, reference, today)


def _show_follow_up(details: CaseDetails) -> None:
    st.header("Reminders and notices")
    if details.notices:
        st.dataframe(
            [{"Created": n.created.isoformat(), "Kind": n.kind, "Subject": n.subject,
              "To": n.recipient, "Channel": n.channel, "State": n.state} for n in details.notices],
            hide_index=True, width="stretch",
        )  # fmt: skip
    else:
        st.caption("No reminders or notices about this case yet.")
    st.header("Jobs and publication")
    st.markdown(
        f"Publication: {details.publication or 'no report published through the workbench'}"
    )
    if details.jobs:
        st.dataframe(
            [{"Job": f"#{j.id}", "Kind": j.kind, "Created": j.created.isoformat(),
              "State": j.state} for j in details.jobs],
            hide_index=True, width="stretch",
        )  # fmt: skip


@st.cache_data(ttl=FLOW_RUNS_TTL_SECONDS, show_spinner=False)
def _recent_flow_runs(reference: str, partnership: str, api_url: str | None) -> FlowRunsView:
    return case_flow_runs(reference, partnership, api_url=api_url)


def _draw_flow_runs(view: FlowRunsView, starting: bool = False) -> None:
    if view.note and not (starting and view.reachable):
        st.caption(view.note)
    if view.runs:
        st.dataframe(
            [{"Run": r.name, "Flow": r.flow_name, "State": r.state,
              "Started": r.started.isoformat(timespec="seconds") if r.started else "not yet",
              "Open": r.url} for r in view.runs],
            hide_index=True, width="stretch",
            column_config={"Open": st.column_config.LinkColumn("Open", display_text="Prefect")},
        )  # fmt: skip
    elif starting:
        st.caption(
            "The workflow service is starting what the last event set going: its runs show "
            "here in a few seconds."
        )
    elif not view.note:
        st.caption("No flow runs yet for this case.")


@st.fragment(run_every=FLOW_RUNS_POLL_SECONDS)
def _live_flow_runs(asked: tuple[str, str, str | None], polls_key: str) -> None:
    """The case's runs read afresh every few seconds while one of its jobs is not done (its
    run is submitted by a process of its own, so it may not be on the server yet). Once every
    run has ended, the server does not answer, or after a few minutes, the whole page runs
    again (its jobs table too) and stops asking."""
    polls = st.session_state.get(polls_key, 0) + 1
    st.session_state[polls_key] = polls
    view = case_flow_runs(asked[0], asked[1], api_url=asked[2])
    _draw_flow_runs(view, starting=not view.runs)
    if not view.reachable or polls >= FLOW_RUNS_POLLS or (view.runs and view.all_ended):
        st.session_state[polls_key] = FLOW_RUNS_POLLS
        _recent_flow_runs.clear(*asked)
        st.rerun()


@st.fragment
def _show_flow_runs(details: CaseDetails) -> None:
    st.header("Flow runs")
    case = details.timeline.case
    asked = (case.reference, case.partnership, settings().prefect_api_url)
    polls_key = f"{FLOW_RUN_POLLS}:{case.id}"
    if st.button("Refresh flow runs", icon=":material/refresh:"):
        _recent_flow_runs.clear(*asked)
    waiting = any(not job.done for job in details.jobs)
    if asked[2] and waiting and st.session_state.get(polls_key, 0) < FLOW_RUNS_POLLS:
        _live_flow_runs(asked, polls_key)
    else:
        _draw_flow_runs(_recent_flow_runs(*asked))


def _show_shortlist(details: CaseDetails) -> None:
    st.header("Similar reviews saved to this case")
    if details.shortlist:
        st.dataframe(
            [{"Review": s.review_id, "Why": s.note or "", "Saved by": s.saved_by,
              "Saved": s.saved_at.date().isoformat()} for s in details.shortlist],
            hide_index=True, width="stretch",
        )  # fmt: skip
    else:
        st.caption("None yet: save reviews from the Similar cases page.")


def _partnership_of(reference: str, partnerships: tuple[str, ...]) -> str | None:
    """Which partnership's ``reference`` to open: asked with a selector only when the viewer
    sees it in more than one (an admin); else the one a link names, if any, and the services
    look in the viewer's scope only (a case they cannot see reads as missing, as any)."""
    linked = st.query_params.get("partnership")
    if len(partnerships) < 2:
        return linked or None
    key = f"{PARTNER}:{reference}"
    if key not in st.session_state and linked in partnerships:
        st.session_state[key] = linked
    chosen = st.selectbox(
        "Partnership", partnerships, index=None, key=key, placeholder="Choose the partnership",
        help=f"{plain(reference)} is a case of more than one partnership you can see.",
    )  # fmt: skip
    if chosen is None:
        st.info(f"{plain(reference)} is a case of several partnerships: choose which above.")
        st.stop()
    st.query_params["partnership"] = chosen
    return str(chosen)


def _load(viewer: Viewer, reference: str, partnership: str | None, today: dt.date) -> CaseDetails:
    try:
        with db_session() as session:
            return case_details(
                session, viewer, reference, today=today, partnership=partnership,
                settings=settings(),
            )  # fmt: skip
    except WorkbenchError as problem:
        # one message for a missing case and one out of scope; the echoed reference is escaped
        st.error(f"{plain(problem)}. Choose one of your cases above.")
        st.stop()


viewer = require_page("case")
today = dt.date.today()
st.title("Case")
notice = st.session_state.pop(NOTICE, None)
if notice:
    st.success(notice)

with db_session() as session:
    held_by = visible_partnerships(session, viewer, today=today, settings=settings())
references = list(held_by)
asked = st.session_state.pop("case_ref", None) or st.query_params.get("ref")
if asked:
    st.session_state[PICKED] = asked if asked in references else None
if not references:
    st.info("There is no case you can see.")
reference = st.selectbox(
    "Case reference", references, key=PICKED, on_change=_remember_choice,
    placeholder="Choose a case",
)  # fmt: skip
target = asked if asked and asked not in references else reference
if target:
    st.query_params["ref"] = target
    details = _load(viewer, target, _partnership_of(target, held_by.get(target, ())), today)
    _show_case(details)
    _show_events(details)
    _show_milestones(details)
    _record_form(details, viewer, target, today)
    _show_actions(details, viewer, target, today)
    _show_follow_up(details)
    _show_flow_runs(details)
    _show_shortlist(details)
    show_rapid_review(details, target, today)
