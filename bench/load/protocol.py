"""A Streamlit browser session without a browser: Streamlit's own websocket protocol
(``/_stcore/stream``) with Streamlit's own protobuf classes, as the frontend speaks it.

A session opens the page over HTTP first (through a load balancer, that is what gives it
its sticky cookie), then connects the websocket with that cookie, and asks for script runs
(``BackMsg.rerun_script`` with the widget states) the way the frontend does when a person
clicks, types or submits. Each run is read to its end (``script_finished``), collecting the
widgets it drew, the errors it showed and any change of the page's query string. What this
does not do: run a page's JavaScript (polling fragments' timers, components), so live
updates add no load.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import requests
import websocket
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

RERUN = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
WIDGETS = ("button", "selectbox", "chat_input", "text_area", "text_input", "radio")


class ProtocolError(RuntimeError):
    pass


@dataclass
class Widget:
    kind: str
    id: str
    label: str
    proto: Any


@dataclass
class Run:
    """What one script run drew (its widgets, its text) and how long it took."""

    seconds: float
    widgets: list[Widget] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # st.error and exceptions it showed
    query_string: str | None = None

    def widget(self, kind: str, label: str) -> Widget:
        for w in self.widgets:
            if w.kind == kind and label in w.label:
                return w
        found = [(w.kind, w.label) for w in self.widgets]
        raise ProtocolError(f"no {kind} {label!r} on the page: {found}")


class Session:
    def __init__(self, base_url: str, timeout: float = 60.0) -> None:
        self.base_url, self.timeout = base_url.rstrip("/"), timeout
        self.http = requests.Session()
        self.ws: websocket.WebSocket | None = None
        self.query_string = ""
        self.states: dict[str, WidgetState] = {}  # widget values this session has set

    def open(self) -> None:
        self.http.get(f"{self.base_url}/", timeout=self.timeout).raise_for_status()
        cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.get_dict().items())
        url = self.base_url.replace("http", "ws", 1) + "/_stcore/stream"
        self.ws = websocket.create_connection(
            url, timeout=self.timeout, subprotocols=["streamlit"], cookie=cookie or None
        )

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()
            self.ws = None

    # -- runs -------------------------------------------------------------------------------

    def rerun(self, *triggers: WidgetState) -> Run:
        """Ask for a script run with this session's widget values (plus ``triggers``: a
        click, a submitted chat message) and read it to the end."""
        assert self.ws is not None, "open() first"
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = ""
        for widget in self.states.values():
            state.widget_states.widgets.append(widget)
        state.widget_states.widgets.extend(triggers)
        started = time.perf_counter()
        self.ws.send_binary(msg.SerializeToString())
        return self._read(started)

    def _read(self, started: float) -> Run:
        assert self.ws is not None
        run = Run(0.0)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            raw = self.ws.recv()
            if not isinstance(raw, bytes):
                continue
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "ref_hash":  # a message this session was sent before: from the cache
                fwd = self._cached(fwd.ref_hash)
                kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                self._collect(fwd.delta.new_element, run)
            elif kind == "page_info_changed":
                self.query_string = fwd.page_info_changed.query_string
                run.query_string = self.query_string
            elif kind == "script_finished":
                if fwd.script_finished == RERUN:  # st.rerun(): only the next run counts
                    run.widgets.clear()
                    run.text.clear()
                    run.errors.clear()
                    continue
                run.seconds = time.perf_counter() - started
                return run
        raise ProtocolError(f"no end of the script run within {self.timeout:.0f} s")

    def _cached(self, ref: str) -> ForwardMsg:
        response = self.http.get(
            f"{self.base_url}/_stcore/message", params={"hash": ref}, timeout=self.timeout
        )
        response.raise_for_status()
        cached = ForwardMsg()
        cached.ParseFromString(response.content)
        return cached

    @staticmethod
    def _collect(element: Any, run: Run) -> None:
        kind = element.WhichOneof("type")
        if kind in WIDGETS:
            proto = getattr(element, kind)
            label = getattr(proto, "label", "") or getattr(proto, "placeholder", "")
            run.widgets.append(Widget(kind, proto.id, label, proto))
        elif kind == "markdown":
            run.text.append(element.markdown.body)
        elif kind == "alert" and element.alert.format == Alert.ERROR:
            run.errors.append(element.alert.body)
        elif kind == "exception":
            run.errors.append(f"{element.exception.type}: {element.exception.message}")

    # -- what a person does -----------------------------------------------------------------

    def set_value(self, widget: Widget, value: str) -> None:
        state = WidgetState(id=widget.id)
        state.string_value = value
        self.states[widget.id] = state

    @staticmethod
    def click(widget: Widget) -> WidgetState:
        return WidgetState(id=widget.id, trigger_value=True)

    @staticmethod
    def chat(widget: Widget, text: str) -> WidgetState:
        state = WidgetState(id=widget.id)
        state.chat_input_value.data = text
        return state
