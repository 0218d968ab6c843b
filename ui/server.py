"""The workbench's web server: Streamlit's own ASGI server (``st.App``) running ``app.py``, with
the routes of :mod:`ui.routes` beside it (the session cookie, personal calendar feeds).
``cspr run`` and ``cspr app`` start this file with ``streamlit run``; a plain
``streamlit run app.py`` serves the pages without those routes (no session survives a reload).
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script, ui/ is on the path but the project may not be
    sys.path.insert(0, str(ROOT))

from ui.routes import ROUTES  # noqa: E402

app = st.App(str(ROOT / "app.py"), routes=ROUTES)
