"""A Streamlit session driven over its own websocket protocol, for the load benchmark.

A browser tab is one websocket to ``/_stcore/stream``: it sends ``BackMsg(rerun_script=...)``
with the page and the widgets' values, and the server answers with ``ForwardMsg``s (the
navigation, one delta per element, then ``script_finished``). This client does the same with
the ``websockets`` package and Streamlit's protobufs, so twenty users cost twenty sockets, not
twenty browsers. It learns widget ids, options and page hashes from what the server sends;
it never renders anything.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

#: A widget value: True for a button (a trigger), a string for a text box or a selectbox.
WidgetValue = bool | str
#: Element types whose text is kept for the caller's checks.
_TEXT_TYPES = ("markdown", "heading", "alert", "caption")
_PROBLEM_ALERTS = (Alert.ERROR, Alert.WARNING)


class ScriptTimeout(Exception):
    """The script run did not finish within the time allowed."""


@dataclass(frozen=True)
class Widget:
    """One widget of the last run: its id, element type, options (a selectbox) and form."""

    id: str
    kind: str
    options: tuple[str, ...] = ()
    form_id: str = ""


@dataclass
class Run:
    """What one action's script run(s) sent back, until the run that was not cut short."""

    seconds: float = 0.0
    widgets: dict[str, Widget] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)
    page_hash: str = ""

    def text(self) -> str:
        return "\n".join(self.texts)


class StreamlitSession:
    """One user's session: ``open`` it, then ``rerun`` with a page and widget values."""

    def __init__(self, url: str, timeout: float = 60.0) -> None:
        self._url = url.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        self._timeout = timeout
        self._socket: ClientConnection | None = None
        self.last = Run()

    async def open(self) -> Run:
        """Connect and run the app as a browser's first load does."""
        protocols = [Subprotocol("streamlit")]
        self._socket = await connect(
            self._url, subprotocols=protocols, max_size=None, open_timeout=self._timeout
        )
        return await self.rerun()

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
            self._socket = None

    def page_hash(self, title: str) -> str:
        """The script hash of the page called ``title`` in the navigation last sent."""
        return self.last.pages[title]

    def widget(self, label: str) -> Widget:
        """The widget labelled ``label`` in the last run (KeyError if it was not shown)."""
        return self.last.widgets[label]

    async def rerun(
        self, values: Mapping[str, WidgetValue] | None = None, page: str | None = None
    ) -> Run:
        """Rerun the script (on page title ``page``) with widgets, by label, set to ``values``."""
        state = ClientState(page_script_hash=self.page_hash(page) if page else self.last.page_hash)
        for label, value in (values or {}).items():
            state.widget_states.widgets.append(_widget_state(self.widget(label).id, value))
        socket = self._require_socket()
        started = time.perf_counter()
        await socket.send(BackMsg(rerun_script=state).SerializeToString())
        try:
            run = await asyncio.wait_for(self._read_run(socket), self._timeout)
        except TimeoutError as late:
            raise ScriptTimeout(f"no script_finished within {self._timeout:.0f} s") from late
        run.seconds = time.perf_counter() - started
        run.pages = run.pages or self.last.pages
        run.page_hash = run.page_hash or self.last.page_hash
        self.last = run
        return run

    def _require_socket(self) -> ClientConnection:
        if self._socket is None:
            raise RuntimeError("the session is not open")
        return self._socket

    async def _read_run(self, socket: ClientConnection) -> Run:
        run = Run()
        while True:
            message = ForwardMsg.FromString(await socket.recv(decode=False))
            kind = message.WhichOneof("type")
            if kind == "new_session":
                # a new run (also after st.rerun or st.switch_page): forget the cut-short one
                run = Run(pages=run.pages, page_hash=message.new_session.page_script_hash)
            elif kind == "navigation":
                run.pages = {p.page_name: p.page_script_hash for p in message.navigation.app_pages}
                run.page_hash = message.navigation.page_script_hash or run.page_hash
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                _take_element(run, message.delta.new_element)
            elif kind == "script_finished":
                status = message.script_finished
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    run.problems.append("the script did not compile")
                if status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    return run


def _widget_state(widget_id: str, value: WidgetValue) -> WidgetState:
    if isinstance(value, bool):
        return WidgetState(id=widget_id, trigger_value=value)
    return WidgetState(id=widget_id, string_value=value)


def _take_element(run: Run, element: Any) -> None:
    kind = element.WhichOneof("type")
    proto = getattr(element, kind)
    if kind == "exception":
        run.problems.append(f"exception {proto.type}: {proto.message}")
    elif kind == "alert" and proto.format in _PROBLEM_ALERTS:
        run.problems.append(f"{Alert.Format.Name(proto.format).lower()}: {proto.body}")
    if kind in _TEXT_TYPES:
        run.texts.append(getattr(proto, "body", "") or getattr(proto, "text", ""))
    widget_id = getattr(proto, "id", "")
    label = getattr(proto, "label", "")
    if widget_id and label:
        options = tuple(getattr(proto, "options", ()))
        run.widgets[label] = Widget(widget_id, kind, options, getattr(proto, "form_id", ""))
